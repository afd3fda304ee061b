using System.Text.RegularExpressions;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Builds;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Kubernetes;

/// <summary>Checks <c>Kubernetes:*</c> at start, including that an API server connection can be resolved.</summary>
internal sealed partial class KubernetesOptionsValidator(KubeEnvironment environment, TimeProvider time) : IValidateOptions<KubernetesOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BuildImage))
        {
            failures.Add($"Kubernetes:BuildImage must name the repo2docker image build pods run (default {KubernetesOptions.DefaultBuildImage}).");
        }
        if (options.Builder == BuildPodBuilder.Buildpacks)
        {
            if (options.BuildImage == KubernetesOptions.DefaultBuildImage)
            {
                failures.Add("Kubernetes:BuildImage must name the BinderOrleans service image when Kubernetes:Builder is buildpacks (the build pod runs its `build` command), e.g. registry.example.org/binder/binderorleans:latest.");
            }
            if (options.Appendix is { Length: > 0 } || options.ExtraArgs.Count > 0)
            {
                failures.Add("Kubernetes:Appendix and Kubernetes:ExtraArgs are repo2docker's options; with Kubernetes:Builder=buildpacks leave them empty.");
            }
        }
        if (BuildPod.SocketPath(options.DockerHost) is { } socket && !socket.StartsWith('/'))
        {
            failures.Add($"Kubernetes:DockerHost must be a unix socket such as {KubernetesOptions.DefaultDockerHost}, or empty for none (got '{options.DockerHost}').");
        }
        if (options.Namespace is { Length: > 0 } ns && !DnsLabel().IsMatch(ns))
        {
            failures.Add($"Kubernetes:Namespace '{ns}' is not a valid namespace name (lower-case letters, digits and '-', at most 63).");
        }
        Positive(failures, options.CleanupInterval, "Kubernetes:CleanupInterval");
        Positive(failures, options.MaxBuildAge, "Kubernetes:MaxBuildAge");
        Positive(failures, options.ConnectTimeout, "Kubernetes:ConnectTimeout");
        Positive(failures, options.RequestTimeout, "Kubernetes:RequestTimeout");
        Positive(failures, options.TokenRefreshInterval, "Kubernetes:TokenRefreshInterval");
        if (options.WatchTimeout < TimeSpan.FromSeconds(1) || options.WatchTimeout > TimeSpan.FromHours(1))
        {
            failures.Add("Kubernetes:WatchTimeout must be between 1 second and 1 hour.");
        }
        if (options.ExtraArgs.Any(a => !a.StartsWith('-')))
        {
            failures.Add("Kubernetes:ExtraArgs must all be options starting with '-' (the repository URL has to stay repo2docker's last argument).");
        }

        Resources(failures, options);

        var (_, error) = KubeConnectionLoader.Load(options, environment, time);
        if (error is not null) failures.Add(error);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Resources(List<string> failures, KubernetesOptions options)
    {
        failures.AddRange(new[]
        {
            ResourceSettings.Problem("Kubernetes:BuildMemoryRequest", options.BuildMemoryRequest, memory: true),
            ResourceSettings.Problem("Kubernetes:BuildMemoryLimit", options.BuildMemoryLimit, memory: true),
            ResourceSettings.Problem("Kubernetes:BuildCpuRequest", options.BuildCpuRequest, memory: false),
            ResourceSettings.Problem("Kubernetes:BuildCpuLimit", options.BuildCpuLimit, memory: false),
        }.OfType<string>());
        V1ResourceRequirements resources;
        try
        {
            resources = BuildPod.Resources(options);
        }
        catch (FormatException)
        {
            return; // Reported above.
        }
        foreach (var key in new[] { "Memory", "Cpu" })
        {
            var resource = key.ToLowerInvariant();
            if (ResourceSettings.Exceeds($"Kubernetes:Build{key}Request", Get(resources.Requests, resource),
                    $"Kubernetes:Build{key}Limit", Get(resources.Limits, resource)) is { } exceeds)
            {
                failures.Add(exceeds);
            }
        }
    }

    private static ResourceQuantity? Get(IDictionary<string, ResourceQuantity> quantities, string resource) =>
        quantities.TryGetValue(resource, out var quantity) ? quantity : null;

    private static void Positive(List<string> failures, TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero) failures.Add($"{key} must be positive.");
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
