using BinderOrleans.Core.Health;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Builds;

namespace BinderOrleans.Kubernetes.Health;

/// <summary>
/// <c>/health</c> item <c>Kubernetes API</c>: lists one build pod, which proves the server answers, the credentials
/// work and the role may list pods in the build namespace (<c>/version</c> alone would prove only the first).
/// </summary>
internal sealed class KubernetesHealthCheck(PodApi api) : IBinderHealthCheck
{
    public const string Service = "Kubernetes API";

    public async Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var result = await api.ListPodsAsync(BuildPod.ComponentSelector, 1, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, object?> { ["namespace"] = api.Namespace };
        if (result.Error is { } error) details["error"] = error.Message;
        return new BinderHealthResult(Service, result.Error is null, details);
    }
}
