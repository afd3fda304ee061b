using System.Security.Cryptography;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Grains;

/// <summary>The launch sessions of this process, keyed by random session id.</summary>
public sealed class LaunchGrains
{
    private readonly GrainDirectory<LaunchGrain> _directory;
    private readonly LaunchGrainServices _services;
    private readonly CancellationToken _stopping;

    public LaunchGrains(RepoProviderRegistry providers, BuildGrains builds, ILauncher launcher, ILaunchQuota quota,
        IOptions<SiteOptions> binder, TimeProvider time, ILaunchObserver observer, BinderMetrics metrics, ILogger<ILaunchGrain> logger,
        IHostApplicationLifetime lifetime)
    {
        _services = new LaunchGrainServices(providers, builds, launcher, quota, binder.Value, time, observer, metrics, logger);
        _stopping = lifetime.ApplicationStopping;
        _directory = new GrainDirectory<LaunchGrain>(time, binder.Value.SessionLinger);
    }

    public int ActiveCount => _directory.Count;

    /// <summary>Starts a new session for <paramref name="spec"/>.</summary>
    public ILaunchGrain Start(LaunchSpec spec)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return _directory.GetOrActivate(key, k => new LaunchGrain(k, spec, _services, _stopping).Start());
    }

    /// <summary>A live (or recently finished) session, for a client that reconnects with its id.</summary>
    public ILaunchGrain? Find(string key) => _directory.Find(key);
}
