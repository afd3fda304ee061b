using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Buildpacks;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Health;
using BinderOrleans.Docker.Launches;
using BinderOrleans.Docker.Proxy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker;

/// <summary>
/// The Docker backend's parts. The host chooses which to add from <see cref="BackendSelection"/>; each port is
/// registered keyed by its backend, and the host maps the unkeyed port to the chosen key.
/// </summary>
public static class DockerServiceCollectionExtensions
{
    /// <summary>The Docker engine client (section <c>Docker</c>, validated at start) and its health item.</summary>
    public static IServiceCollection AddDockerEngine(this IServiceCollection services)
    {
        services.AddOptions<DockerOptions>().BindConfiguration(DockerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerOptions>, DockerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => DockerClientFactory.Create(sp.GetRequiredService<IOptions<DockerOptions>>().Value));
        services.TryAddSingleton(_ => NotebookStatusClient.Create());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBinderHealthCheck, DockerEngineHealthCheck>());
        return services;
    }

    /// <summary>
    /// <c>Build:Backend</c> = docker: the image builder keyed <see cref="BuildBackend.Docker"/> (generated buildpacks,
    /// or repo2docker in a container when <paramref name="repo2docker"/>, i.e. <c>Build:Builder</c> = repo2docker;
    /// pushing what it builds through the registry's <see cref="IImagePusher"/> when <paramref name="push"/>, i.e. <c>Registry:Enabled</c>), the buildpack settings
    /// (section <c>Buildpacks</c>) and the clean-up of a crashed run's leftovers.
    /// </summary>
    public static IServiceCollection AddDockerImageBuilder(this IServiceCollection services, bool push, bool repo2docker = false)
    {
        services.AddOptions<BuildpackOptions>().BindConfiguration(BuildpackOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BuildpackOptions>, BuildpackOptionsValidator>());
        services.TryAddSingleton<IGitRunner, GitCommand>();
        // Every clone is checked and pinned by the outbound guard (Security:AllowedTargetNetworks).
        services.AddOutboundGuard();
        services.TryAddSingleton<GitPin>();
        services.TryAddSingleton<GitFetcher>();
        services.TryAddSingleton<BasePythonProbe>();
        // Both builders leave the image in the local engine; the pusher takes it from there.
        var builderType = repo2docker ? typeof(Repo2DockerImageBuilder) : typeof(DockerImageBuilder);
        services.TryAdd(ServiceDescriptor.Singleton(builderType, builderType));
        if (push)
        {
            // The pusher is the registry's (AddRegistryImages registers it with Registry:Enabled).
            services.AddKeyedSingleton<IImageBuilder>(BuildBackend.Docker, (sp, _) =>
                new PushingImageBuilder((IImageBuilder)sp.GetRequiredService(builderType), sp.GetRequiredService<IImagePusher>()));
        }
        else
        {
            services.AddKeyedSingleton<IImageBuilder>(BuildBackend.Docker, (sp, _) => (IImageBuilder)sp.GetRequiredService(builderType));
        }
        services.TryAddSingleton<BuildLeftoversCleaner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, BuildLeftoversCleaner>(sp => sp.GetRequiredService<BuildLeftoversCleaner>()));
        return services;
    }

    /// <summary>
    /// <c>Launch:Backend</c> = docker: the launcher keyed <see cref="LaunchBackend.Docker"/> (pulling what the local
    /// engine lacks through the registry's <see cref="IImagePuller"/> when one is registered, i.e. <c>Registry:Enabled</c>), its culler and the launch quota
    /// counting its containers, and the proxy that serves them on this service's port (<c>Docker:Proxy</c>; mapped by
    /// <see cref="ServerProxyApi.MapServerProxy"/>).
    /// </summary>
    public static IServiceCollection AddDockerLauncher(this IServiceCollection services)
    {
        services.AddKeyedSingleton<ILauncher, DockerLauncher>(LaunchBackend.Docker);
        // In a silo only (every replica is one); a host without one has no cluster to tell where its servers run.
        services.TryAddSingleton(sp => sp.GetService<IGrainFactory>() is { } grains && sp.GetService<ILocalSiloDetails>() is { } silo
            && sp.GetService<IServer>() is { } server
                ? new ServerLocations(grains, server, silo, sp.GetRequiredService<ILogger<ServerLocations>>())
                : null!);
        services.TryAddSingleton<ServerRoutes>();
        services.TryAddSingleton<ServerProxy>();
        services.AddHttpForwarder();
        services.TryAddSingleton<ContainerCuller>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ContainerCuller>(sp => sp.GetRequiredService<ContainerCuller>()));
        services.AddLaunchQuota<DockerRunningServers>();
        return services;
    }

    /// <summary>
    /// The local engine's image retention (<c>Docker:ImageRetention</c>, off unless a limit is set) and, when
    /// <paramref name="pull"/> (the Docker launcher with <c>Registry:Enabled</c>), its warm images (<c>Docker:WarmImages</c>;
    /// without <paramref name="pull"/> a non-zero value fails the start).
    /// </summary>
    public static IServiceCollection AddDockerImageRetention(this IServiceCollection services, bool pull)
    {
        services.AddOptions<DockerOptions>()
            .Validate(o => pull || o.WarmImages == 0, "Docker:WarmImages needs Registry:Enabled=true and Launch:Backend=docker: warm images are pulled from the registry.");
        services.TryAddSingleton<EngineImageStore>();
        if (pull)
        {
            services.TryAddSingleton<WarmImages>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WarmImages>(sp => sp.GetRequiredService<WarmImages>()));
        }
        services.AddSingleton<IHostedService>(sp => new ImageRetention(sp.GetRequiredService<EngineImageStore>(),
            sp.GetRequiredService<IOptions<DockerOptions>>().Value.ImageRetention, sp, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ImageRetention>>(), pull ? ct => sp.GetRequiredService<WarmImages>().KeptAsync(ct) : null));
        return services;
    }

    /// <summary><c>Registry:Enabled</c> false: image lookups keyed <see cref="ImageSource.LocalEngine"/> ask the local engine.</summary>
    public static IServiceCollection AddLocalEngineImages(this IServiceCollection services)
    {
        services.AddKeyedSingleton<IImageRegistry, LocalEngineImageRegistry>(ImageSource.LocalEngine);
        return services;
    }
}
