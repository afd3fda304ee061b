using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Quota;
using BinderOrleans.Docker.Building;
using BinderOrleans.Docker.Buildpacks;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Health;
using BinderOrleans.Docker.Launching;
using BinderOrleans.Docker.Quota;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker;

public static class DockerServiceCollectionExtensions
{
    /// <summary>
    /// The Docker engine client (section <c>Docker</c>) and its health item, plus, as configured: the image builder
    /// (<c>Build:Backend</c> = docker; generated buildpacks, or repo2docker in a container with <c>Build:Builder</c> = repo2docker), the local image lookup (unless <c>Registry:Enabled</c> is true), the launcher,
    /// its culler and the launch quota counting its containers (<c>Launch:Backend</c> = docker). Ports are added with
    /// TryAdd, so another backend registered first wins.
    /// </summary>
    public static IServiceCollection AddDockerBackend(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DockerOptions>().BindConfiguration(DockerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerOptions>, DockerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => DockerClientFactory.Create(sp.GetRequiredService<IOptions<DockerOptions>>().Value));
        services.TryAddSingleton(_ => NotebookStatusClient.Create());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBinderHealthCheck, DockerEngineHealthCheck>());

        if (IsSelected(configuration[$"{BuildOptions.Section}:{nameof(BuildOptions.Backend)}"], "docker"))
        {
            services.AddOptions<BuildpackOptions>().BindConfiguration(BuildpackOptions.Section).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BuildpackOptions>, BuildpackOptionsValidator>());
            services.TryAddSingleton<IGitRunner, GitCommand>();
            services.TryAddSingleton<GitFetcher>();
            services.TryAddSingleton<BasePythonProbe>();
            if (string.Equals(configuration[$"{BuildOptions.Section}:{nameof(BuildOptions.Builder)}"], BuildOptions.Repo2DockerBuilder, StringComparison.OrdinalIgnoreCase))
            {
                services.TryAddSingleton<IImageBuilder, Repo2DockerImageBuilder>();
            }
            else
            {
                services.TryAddSingleton<IImageBuilder, DockerImageBuilder>();
            }
            services.TryAddSingleton<BuildLeftoversCleaner>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BuildLeftoversCleaner>(sp => sp.GetRequiredService<BuildLeftoversCleaner>()));
        }
        if (!string.Equals(configuration["Registry:Enabled"], "true", StringComparison.OrdinalIgnoreCase))
        {
            services.TryAddSingleton<IImageRegistry, LocalEngineImageRegistry>();
        }
        if (IsSelected(configuration[$"{LaunchOptions.Section}:{nameof(LaunchOptions.Backend)}"], "docker"))
        {
            services.TryAddSingleton<ILauncher, DockerLauncher>();
            services.TryAddSingleton<ContainerCuller>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ContainerCuller>(sp => sp.GetRequiredService<ContainerCuller>()));
            services.AddLaunchQuota<DockerRunningServers>();
        }
        return services;
    }

    /// <summary>Unset means the default, which is docker for both backends.</summary>
    private static bool IsSelected(string? configured, string backend) =>
        string.IsNullOrEmpty(configured) || string.Equals(configured, backend, StringComparison.OrdinalIgnoreCase);
}
