using BinderOrleans.Core;
using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Launches;
using BinderOrleans.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Docker;

public sealed class DockerBackendRegistrationTests
{
    internal static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        // No silo here: the health checks' build count comes from a fixed fake instead of the queue grain.
        services.AddSingleton<BinderOrleans.Core.Builds.IRunningBuilds>(new BinderOrleans.Testing.FixedRunningBuilds());
        services.AddBinderCore();
        services.AddBackends(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void AddDockerBackend_Defaults_AllPortsFromDocker()
    {
        using var provider = Build(new());

        Assert.IsType<DockerImageBuilder>(provider.GetRequiredService<IImageBuilder>());
        Assert.IsType<LocalEngineImageRegistry>(provider.GetRequiredService<IImageRegistry>());
        Assert.IsType<DockerLauncher>(provider.GetRequiredService<ILauncher>());
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ContainerCuller);
        Assert.Contains(provider.GetServices<IBinderHealthCheck>(), s => s.GetType().Name == "DockerEngineHealthCheck");
    }

    [Fact]
    public void AddDockerBackend_JupyterHubLaunches_NoDockerLauncherOrCuller()
    {
        using var provider = Build(new() { ["Launch:Backend"] = "jupyterhub" });

        Assert.Null(provider.GetKeyedService<ILauncher>(LaunchBackend.Docker));
        Assert.DoesNotContain(provider.GetServices<IHostedService>(), s => s is ContainerCuller);
        Assert.NotNull(provider.GetService<IImageBuilder>());
    }

    [Fact]
    public void AddDockerBackend_RegistryEnabled_NoLocalLookup()
    {
        using var provider = Build(new() { ["Registry:Enabled"] = "true" });

        Assert.Null(provider.GetKeyedService<IImageRegistry>(ImageSource.LocalEngine));
    }

    [Fact]
    public void AddBackends_LauncherRegisteredAfter_Wins_AndTheDockerOneStaysKeyed()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        var other = new FakeLauncher();
        services.AddBinderCore().AddBackends(configuration);
        services.AddSingleton<ILauncher>(other);
        using var provider = services.BuildServiceProvider();

        Assert.Same(other, provider.GetRequiredService<ILauncher>());
        Assert.IsType<DockerLauncher>(provider.GetRequiredKeyedService<ILauncher>(LaunchBackend.Docker));
    }

    [Theory]
    [InlineData("Build:Backend", "podman", "Build:Backend must be 'docker' or 'kubernetes' (was 'podman').")]
    [InlineData("Launch:Backend", "kubernetes", "Launch:Backend must be 'docker' or 'jupyterhub' (was 'kubernetes').")]
    [InlineData("Registry:Enabled", "yes", "Registry:Enabled must be true or false (was 'yes').")]
    public void AddBackends_UnknownValue_FailsNamingTheKey(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { [key] = value }));
        Assert.Equal(message, Assert.Single(error.Failures));
    }

    [Fact]
    public void AddBackends_NamesAreCaseInsensitive_UnsetMeansDocker()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Build:Backend"] = "Kubernetes",
            ["Launch:Backend"] = "JupyterHub",
        }).Build();

        Assert.Equal(new BackendSelection(BuildBackend.Kubernetes, LaunchBackend.JupyterHub, ImageSource.LocalEngine), BackendSelection.Bind(configuration));
        Assert.Equal(new BackendSelection(BuildBackend.Docker, LaunchBackend.Docker, ImageSource.LocalEngine), BackendSelection.Bind(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void AddDockerBackend_BadHost_ValidationNamesTheKey()
    {
        using var provider = Build(new() { ["Docker:Host"] = "ssh://example", ["Docker:LaunchTimeout"] = "00:00:00" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DockerOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith("Docker:Host", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Docker:LaunchTimeout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, 1000)]
    [InlineData("1001", 1001)]
    [InlineData("", null)]
    public void AddDockerBackend_UserId_DefaultsToZeroToJupyterHubsUid_EmptyKeepsTheImagesUser(string? value, int? expected)
    {
        using var provider = Build(value is null ? new() : new() { ["Docker:UserId"] = value });

        Assert.Equal(expected, provider.GetRequiredService<IOptions<DockerOptions>>().Value.UserId);
    }

    [Fact]
    public void AddDockerBackend_NegativeUserId_ValidationNamesTheKey()
    {
        using var provider = Build(new() { ["Docker:UserId"] = "-1" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DockerOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith("Docker:UserId", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDockerBackend_Labels_BoundFromConfiguration()
    {
        using var provider = Build(new() { ["Docker:Labels:org.example.run"] = "42", ["Docker:ServerCommand:0"] = "jupyterhub-singleuser" });

        var options = provider.GetRequiredService<IOptions<DockerOptions>>().Value;
        Assert.Equal("42", options.Labels["org.example.run"]);
        Assert.Equal(["jupyterhub-singleuser"], options.ServerCommand);
    }

    [Fact]
    public void AddDockerBackend_BuilderRepo2Docker_RunsRepo2DockerInstead()
    {
        using var provider = Build(new() { ["Build:Builder"] = "repo2docker", ["Build:Repo2DockerImage"] = "example.org/r2d:1" });

        Assert.IsType<Repo2DockerImageBuilder>(provider.GetRequiredService<IImageBuilder>());
        Assert.Equal("example.org/r2d:1", provider.GetRequiredService<IOptions<BinderOrleans.Core.Options.BuildOptions>>().Value.Repo2DockerImage);
    }

    [Theory]
    [InlineData("Build:Builder", "docker-build", "Build:Builder must be 'buildpacks' or 'repo2docker'.")]
    [InlineData("Build:Repo2DockerImage", " ", "Build:Repo2DockerImage must name an image")]
    public void AddDockerBackend_BadBuilderSetting_ValidationNamesTheKey(string key, string value, string expected)
    {
        using var provider = Build(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<BinderOrleans.Core.Options.BuildOptions>>().Value);
        Assert.Contains(error.Failures, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Repo2DockerContainer_UnixEngine_SocketMountedAndBinderHubsCommandLine()
    {
        var docker = new DockerOptions { Host = "unix:///run/user/docker.sock", NetworkMode = "host", Labels = new() { ["org.example.b"] = "2", ["org.example.a"] = "1" } };
        var request = new BuildRequest("r2d-image:abc", "build-x", "https://example.org/repo.git", "abc123", "git", GitCredentials: "username=u\npassword=p");

        var container = Repo2DockerImageBuilder.Container(request, docker, "example.org/r2d:1");

        Assert.Equal("example.org/r2d:1", container.Image);
        Assert.Equal(
            ["jupyter-repo2docker", "--ref=abc123", "--image=r2d-image:abc", "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan", "--user-id=1000",
             "--label=org.example.a=1", "--label=org.example.b=2", "https://example.org/repo.git"],
            container.Cmd);
        Assert.Null(container.Entrypoint);
        Assert.Equal(["/run/user/docker.sock:/var/run/docker.sock"], container.HostConfig!.Binds);
        Assert.Equal("host", container.HostConfig!.NetworkMode);
        Assert.Equal(["GIT_CREDENTIAL_ENV=username=u\npassword=p"], container.Env);
        Assert.Equal("build-x", container.Labels[DockerLabels.Repo2DockerBuild]);
        Assert.Equal("1", container.Labels["org.example.a"]);
    }

    [Fact]
    public void Repo2DockerContainer_TcpEngine_DockerHostInsteadOfMount()
    {
        var docker = new DockerOptions { Host = "tcp://127.0.0.1:2375" };
        var request = new BuildRequest("r2d-image:abc", "build-x", "https://example.org/repo.git", "abc123", "git");

        var container = Repo2DockerImageBuilder.Container(request, docker, "r2d");

        Assert.Empty(container.HostConfig!.Binds);
        Assert.Equal(["DOCKER_HOST=tcp://127.0.0.1:2375"], container.Env);
    }
}
