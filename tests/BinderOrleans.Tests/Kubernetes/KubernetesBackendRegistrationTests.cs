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
    public async Task BuildpacksBuilder_GetsTheServicesBuildSettings_ButNoCredentials()
    {
        await using var rig = await KubeRig.StartAsync();
        using var services = Build(new()
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:Kubeconfig"] = rig.Kubeconfig,
            ["Kubernetes:Builder"] = "Buildpacks",
            ["Kubernetes:BuildImage"] = "binderorleans:dev",
            ["Build:BaseImage"] = "base:1",
            ["Build:ConcurrentLimit"] = "3",
            ["Buildpacks:MicromambaUrl"] = "http://127.0.0.1:9/micromamba",
            ["Providers:Git:AllowedSchemes:0"] = "http",
            ["Providers:Git:GitCredentials"] = "username=bot\npassword=s3cret",
            ["Providers:GitHub:AccessToken"] = "ghp_secret",
            ["Providers:GitHub:ClientSecret"] = "secret",
            ["Providers:Zenodo:BaseUrl"] = "http://127.0.0.1:9/zenodo/",
            ["Registry:Url"] = "http://127.0.0.1:9",
            ["Registry:TokenUrl"] = "http://127.0.0.1:9/token",
            ["Registry:Password"] = "pw",
            ["Docker:Host"] = "unix:///elsewhere.sock",
            ["Docker:NetworkMode"] = "host",
            ["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8",
        });

        var options = services.GetRequiredService<IOptions<KubernetesOptions>>().Value;
        Assert.Equal(BuildPodBuilder.Buildpacks, options.Builder);
        Assert.Equal(
        [
            "Build:BaseImage=base:1", "Buildpacks:MicromambaUrl=http://127.0.0.1:9/micromamba", "Docker:NetworkMode=host",
            "Providers:Git:AllowedSchemes:0=http", "Providers:Zenodo:BaseUrl=http://127.0.0.1:9/zenodo/", "Registry:TokenUrl=http://127.0.0.1:9/token",
            "Registry:Url=http://127.0.0.1:9", "Security:AllowedTargetNetworks:0=127.0.0.0/8",
        ], options.BuilderSettings.Select(s => $"{s.Key}={s.Value}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BuildpacksBuilder_WithRepo2DockersImage_OrRepo2DockersOptions_FailsValidation_NamingTheKeys()
    {
        using var services = Build(new()
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:Builder"] = "buildpacks",
            ["Kubernetes:ExtraArgs:0"] = "--debug",
        });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith("Kubernetes:BuildImage must name the BinderOrleans service image when Kubernetes:Builder is buildpacks", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Kubernetes:Appendix and Kubernetes:ExtraArgs are repo2docker's options", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownBuilder_FailsNamingTheKey()
    {
        using var services = Build(new() { ["Build:Backend"] = "kubernetes", ["Kubernetes:Builder"] = "kaniko" });
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        Assert.Contains("Kubernetes:Builder", error.Message);
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
