using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Docker;
using BinderOrleans.JupyterHub;
using BinderOrleans.Kubernetes;
using BinderOrleans.Registry;

namespace BinderOrleans.Server.Hosting;

/// <summary>The one place where configuration chooses the backends.</summary>
public static class BackendServiceCollectionExtensions
{
    /// <summary>
    /// Reads <c>Build:Backend</c>, <c>Launch:Backend</c> and <c>Registry:Enabled</c> once (<see cref="BackendSelection"/>,
    /// registered as a singleton; an unknown value throws naming the key), adds the chosen backends' parts, and maps
    /// <see cref="IImageBuilder"/>, <see cref="ILauncher"/> and <see cref="IImageRegistry"/> to the chosen keyed
    /// registrations. The Docker engine client and its health item are always added, as the local image store.
    /// </summary>
    public static IServiceCollection AddBackends(this IServiceCollection services, IConfiguration configuration)
    {
        var backends = BackendSelection.Bind(configuration);
        services.AddSingleton(backends);
        services.AddDockerEngine().AddRegistryOptions();

        switch (backends.Build)
        {
            case BuildBackend.Docker:
                var repo2docker = string.Equals(configuration[$"{BuildOptions.Section}:{nameof(BuildOptions.Builder)}"], BuildOptions.Repo2DockerBuilder,
                    StringComparison.OrdinalIgnoreCase);
                services.AddDockerImageBuilder(push: backends.UsesRegistry, repo2docker);
                break;
            case BuildBackend.Kubernetes: services.AddKubernetesImageBuilder(push: backends.UsesRegistry); break;
        }
        switch (backends.Launch)
        {
            case LaunchBackend.Docker: services.AddDockerLauncher(); break;
            case LaunchBackend.JupyterHub: services.AddJupyterHubLauncher(); break;
        }
        switch (backends.Images)
        {
            case ImageSource.LocalEngine: services.AddLocalEngineImages(); break;
            case ImageSource.Registry: services.AddRegistryPushAndPull(); break;
        }

        // Retention: the registry's, and the local engine's when it holds images (a Docker build or launch).
        if (backends.UsesRegistry) services.AddRegistryRetention();
        if (backends.Build == BuildBackend.Docker || backends.Launch == LaunchBackend.Docker)
        {
            services.AddDockerImageRetention(pull: backends.UsesRegistry && backends.Launch == LaunchBackend.Docker);
        }

        services.AddSingleton(sp => sp.GetRequiredKeyedService<IImageBuilder>(backends.Build));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<ILauncher>(backends.Launch));
        services.AddSingleton(sp => sp.GetRequiredKeyedService<IImageRegistry>(backends.Images));
        return services;
    }
}
