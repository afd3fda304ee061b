using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Core.Grains;

/// <summary>What every launch grain calls; one instance shared by all of them (all stateless or thread-safe).</summary>
internal sealed record LaunchGrainServices(
    RepoProviderRegistry Providers,
    BuildGrains Builds,
    ILauncher Launcher,
    ILaunchQuota Quota,
    SiteOptions Binder,
    TimeProvider Time,
    ILaunchObserver Observer,
    BinderMetrics Metrics,
    ILogger Logger);
