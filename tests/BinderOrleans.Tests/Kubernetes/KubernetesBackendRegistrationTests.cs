using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Kubernetes;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Kubernetes.Health;
using BinderOrleans.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Kubernetes;

public sealed class KubernetesBackendRegistrationTests
{
    [Fact]
    public void BadSettings_FailValidation_WithMessagesNamingTheKeys()
    {
        using var services = Build(new()
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:DockerHost"] = "tcp://10.0.0.1:2375",
            ["Kubernetes:CleanupInterval"] = "00:00:00",
            ["Kubernetes:Namespace"] = "Not_A_Namespace",
            ["Kubernetes:BuildImage"] = "",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("Kubernetes:DockerHost"));
        Assert.Contains(error.Failures, f => f.Contains("Kubernetes:CleanupInterval"));
        Assert.Contains(error.Failures, f => f.Contains("Kubernetes:Namespace"));
        Assert.Contains(error.Failures, f => f.Contains("Kubernetes:BuildImage"));
        Assert.Contains(error.Failures, f => f.Contains("No Kubernetes API"));
    }

    [Fact]
    public void BadBuildResources_FailValidation_NamingTheKey()
    {
        using var services = Build(new()
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:BuildMemoryRequest"] = "lots",
            ["Kubernetes:BuildCpuLimit"] = "-1",
        });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith("Kubernetes:BuildMemoryRequest 'lots' is not a memory size", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Kubernetes:BuildCpuLimit '-1' is not a CPU quantity", StringComparison.Ordinal));

        using var inverted = Build(new()
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:BuildMemoryRequest"] = "4G",
            ["Kubernetes:BuildMemoryLimit"] = "2G",
            ["Kubernetes:BuildCpuRequest"] = "0",
        });
        var invertedError = Assert.Throws<OptionsValidationException>(() => inverted.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        Assert.Contains(invertedError.Failures, f => f.StartsWith("Kubernetes:BuildMemoryRequest (4294967296) must not exceed Kubernetes:BuildMemoryLimit (2147483648)", StringComparison.Ordinal));
        Assert.Contains(invertedError.Failures, f => f.StartsWith("Kubernetes:BuildCpuRequest must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KubernetesBackend_ReplacesTheBuilder_AddsHealthAndCleaner_AndPushFollowsTheRegistry()
    {
        await using var rig = await KubeRig.StartAsync();
        using var services = Build(new()
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:Kubeconfig"] = rig.Kubeconfig,
            ["Registry:Enabled"] = "true",
            // The registry's own health item is built alongside; it needs a valid registry setting.
            ["Registry:Url"] = "http://127.0.0.1:9",
            ["Registry:DockerConfig"] = "/nonexistent/binder-test",
            ["Binder:ImagePrefix"] = "127.0.0.1:9/binder/",
        }, s => s.AddSingleton<IImageBuilder>(new FakeImageBuilder()));

        Assert.IsType<KubernetesImageBuilder>(services.GetRequiredService<IImageBuilder>());
        Assert.True(services.GetRequiredService<IOptions<KubernetesOptions>>().Value.Push);
        Assert.Contains(services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is BuildPodCleaner);
        var health = Assert.Single(services.GetServices<IBinderHealthCheck>().OfType<KubernetesHealthCheck>());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var ok = await health.CheckAsync(cts.Token);
        Assert.Equal("Kubernetes API", ok.Service);
        Assert.True(ok.Ok);
        Assert.Equal(FakeNamespace, ok.Details!["namespace"]);

        await rig.Api.DisposeAsync();
        var down = await health.CheckAsync(cts.Token);
        Assert.False(down.Ok);
        Assert.Contains("unreachable", (string)down.Details!["error"]!);
    }

    [Fact]
    public void DockerBackend_RegistersNothingFromKubernetes()
    {
        using var services = Build(new() { ["Build:Backend"] = "docker" });
        Assert.Null(services.GetKeyedService<IImageBuilder>(BuildBackend.Kubernetes));
        Assert.Null(services.GetService<PodApi>());
    }

    private const string FakeNamespace = BinderOrleans.Testing.Kubernetes.FakeKubernetesApi.DefaultNamespace;

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? before = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        // Keep the machine's own environment (a real ~/.kube/config, KUBERNETES_SERVICE_HOST) out of the test.
        services.AddSingleton(new KubeEnvironment(_ => null, Path.GetTempPath()));
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section);
        services.AddSingleton<BinderOrleans.Core.Builds.IRunningBuilds>(new BinderOrleans.Testing.FixedRunningBuilds());
        before?.Invoke(services);
        services.AddBackends(configuration);
        services.AddSingleton<IImageRegistry>(new FakeImageRegistry());
        return services.BuildServiceProvider();
    }
}
