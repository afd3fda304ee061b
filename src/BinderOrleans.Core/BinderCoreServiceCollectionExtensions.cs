using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core;

public static class BinderCoreServiceCollectionExtensions
{
    /// <summary>Options, the session client and table, and the provider registry. Backends add the ports; the host adds the silo.</summary>
    public static IServiceCollection AddBinderCore(this IServiceCollection services)
    {
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section)
            .Validate(o => o.BaseUrl.StartsWith('/'), "Binder:BaseUrl must start with '/'.")
            .Validate(o => o.KeepaliveInterval > TimeSpan.Zero, "Binder:KeepaliveInterval must be positive.")
            .Validate(o => o.MaxSessions > 0, "Binder:MaxSessions must be at least 1.")
            .Validate(o => o.SessionSecret.Length is 0 or >= SiteOptions.MinSessionSecretLength,
                $"Binder:SessionSecret must be at least {SiteOptions.MinSessionSecretLength} characters (e.g. the output of 'openssl rand -hex 32').")
            .Validate(o => o.DrainTimeout >= TimeSpan.Zero, "Binder:DrainTimeout must not be negative, e.g. 00:00:45.")
            .Validate(o => SiteOptions.IsValidCorsOrigin(o.CorsAllowOrigin),
                "Binder:CorsAllowOrigin must be empty, '*', or an origin such as https://book.example.org (scheme, host, port; no path or trailing '/').")
            .ValidateOnStart();
        services.AddOptions<BuildOptions>().BindConfiguration(BuildOptions.Section)
            .Validate(o => o.ConcurrentLimit > 0, "Build:ConcurrentLimit must be at least 1.")
            .Validate(o => o.NoOutputTimeout > TimeSpan.Zero, "Build:NoOutputTimeout must be positive.")
            .Validate(o => o.QueuePollInterval > TimeSpan.Zero, "Build:QueuePollInterval must be positive.")
            .Validate(o => o.QueueSlotLease >= TimeSpan.FromSeconds(3), "Build:QueueSlotLease must be at least 3 seconds.")
            .Validate(o => o.MaxLogEvents >= 100, "Build:MaxLogEvents must be at least 100.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.BaseImage), "Build:BaseImage must name an image.")
            .Validate(o => o.Builder is BuildOptions.BuildpacksBuilder or BuildOptions.Repo2DockerBuilder, "Build:Builder must be 'buildpacks' or 'repo2docker'.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Repo2DockerImage) && !o.Repo2DockerImage.Any(char.IsWhiteSpace),
                "Build:Repo2DockerImage must name an image, e.g. quay.io/jupyterhub/repo2docker:2024.07.0.")
            .Validate(o => o.LogRetention > TimeSpan.Zero, "Build:LogRetention must be positive, e.g. 7.00:00:00.")
            .Validate(o => o.LogStoreLimit > 0, "Build:LogStoreLimit must be a positive number of bytes, e.g. 1073741824.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => PrometheusRegistry.CreateWithProcessMetrics());
        services.TryAddSingleton<BinderMetrics>();
        services.TryAddSingleton<LaunchSessionTable>();
        services.TryAddSingleton<SessionKeys>();
        services.TryAddSingleton<LaunchSessions>();
        services.TryAddSingleton<BuildFeeds>();
        services.TryAddSingleton<DrainState>();
        services.AddHostedService<DrainService>();
        // The drain runs inside the host's shutdown: give the shutdown the drain plus time for the silo to stop.
        services.AddOptions<HostOptions>().Configure<IOptions<SiteOptions>>((host, site) =>
        {
            var needed = site.Value.DrainTimeout + SiteOptions.SiloStopMargin;
            if (host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
        });
        services.TryAddSingleton<IRunningBuilds, QueuedRunningBuilds>();
        services.TryAddSingleton<RepoProviderRegistry>();
        services.TryAddSingleton<ResolveCoalescer>();
        services.TryAddSingleton<RepoResolver>();
        services.TryAddSingleton<IRepoCredentials, NoRepoCredentials>();
        // Every backend that fetches for a user (the Docker builder's clone too) holds git to checked addresses.
        services.AddOutboundGuard();
        services.TryAddSingleton<GitPin>();
        services.TryAddSingleton<ILaunchQuota, NoLaunchQuota>();
        services.TryAddSingleton<ILaunchObserver, LaunchEventLog>();
        services.TryAddSingleton<IBuildLogStore, FileSystemBuildLogStore>();
        return services;
    }
}
