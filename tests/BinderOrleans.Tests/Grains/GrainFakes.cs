using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.Server.Cluster;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;
using BinderOrleans.Core;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Grains;

internal sealed class FakeQuota : ILaunchQuota
{
    public int Checks;
    public QuotaDecision Decision { get; set; } = QuotaDecision.Allow;
    public Task<QuotaDecision> CheckAsync(QuotaRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Checks);
        return Task.FromResult(Decision);
    }
}

/// <summary>
/// An in-process Orleans cluster (Orleans.TestingHost) whose silos share the fakes above: grain logic tests run on real
/// silos, so every wire type crosses Orleans' serializer.
/// </summary>
internal sealed class GrainRig : IAsyncDisposable
{
    public FakeImageRegistry Registry { get; } = new();
    public FakeImageBuilder Builder { get; }
    public FakeLauncher Launcher { get; } = new();
    public FakeRepoProvider Provider { get; } = new();
    public FakeQuota Quota { get; } = new();
    public BuildOptions BuildOptions { get; } = new() { FailedBuildLinger = TimeSpan.Zero, QueuePollInterval = TimeSpan.FromMilliseconds(50) };
    public SiteOptions Site { get; } = new() { SessionLinger = TimeSpan.FromMinutes(1), ReconnectGrace = TimeSpan.FromMilliseconds(200) };
    public TimeProvider Time { get; set; } = TimeProvider.System;
    public ILaunchObserver Observer { get; set; } = new NullLaunchObserver();
    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>More silo services, added after the fakes (a test's placement, say).</summary>
    public Action<IServiceCollection>? MoreServices { get; set; }

    private GrainRig() => Builder = new FakeImageBuilder(Registry);

    /// <param name="configure">Changes fakes and options before the silos start.</param>
    /// <param name="silos">Silos in the cluster.</param>
    public static async Task<GrainRig> StartAsync(Action<GrainRig>? configure = null, short silos = 1)
    {
        var rig = new GrainRig();
        configure?.Invoke(rig);
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSiloHost((_, host) => rig.AddServices(host.Services));
        builder.ConfigureSilo((_, silo) => silo.UseStrictGrainDirectory());
        rig.Cluster = builder.Build();
        await rig.Cluster.DeployAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return rig;
    }

    private void AddServices(IServiceCollection services)
    {
        services.AddBinderCore();
        services.AddSingleton(Options.Create(BuildOptions));
        services.AddSingleton(Options.Create(Site));
        services.AddSingleton(Time);
        services.AddSingleton<IImageRegistry>(Registry);
        services.AddSingleton<IImageBuilder>(Builder);
        services.AddSingleton<ILauncher>(Launcher);
        services.AddSingleton<IRepoProvider>(Provider);
        services.AddSingleton<ILaunchQuota>(Quota);
        services.AddSingleton(Observer);
        MoreServices?.Invoke(services);
    }

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The first silo's metrics (a one-silo rig's grains all run there).</summary>
    public BinderMetrics Metrics => Cluster.Silos[0].ServiceProvider.GetRequiredService<BinderMetrics>();

    /// <summary>The session client of silo <paramref name="silo"/>, as that silo's front end uses it.</summary>
    public LaunchSessions Sessions(int silo = 0) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<LaunchSessions>();

    public IBuildGrain Build(string image = "img:abc") => Grains.GetGrain<IBuildGrain>(image);

    public static BuildRequest Request(string image = "img:abc") => new(image, "build-img", "https://example.invalid/r", "abc", "fake");

    /// <summary>A new session started from silo <paramref name="silo"/>'s front end: its key and its events.</summary>
    public (string Key, IAsyncEnumerable<BinderEvent> Events) Launch(LaunchSpec spec, int silo = 0)
    {
        var key = Sessions(silo).NewKey();
        return (key, Sessions(silo).WatchAsync(key, spec, 0, CancellationToken.None).Select(e => e.Event));
    }

    public static async Task<List<BinderEvent>> CollectAsync(IAsyncEnumerable<BinderEvent> events)
    {
        // Long enough for a lost silo to be voted out and a watch resumed; a hang still fails.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var list = new List<BinderEvent>();
        await foreach (var e in events.WithCancellation(cts.Token)) list.Add(e);
        return list;
    }

    public static Task<List<BinderEvent>> CollectAsync(IAsyncEnumerable<BuildLogEntry> entries) => CollectAsync(entries.Select(e => e.Event));

    public static Task<List<BinderEvent>> CollectAsync(IBuildGrain grain, BuildRequest? request = null) =>
        CollectAsync(grain.WatchAsync(request ?? Request()));

    public static async Task WaitUntil(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 400 && !await condition(); i++) await Task.Delay(25);
        Assert.True(await condition());
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}

/// <summary>Replaces the server's ports with the fakes, for tests of the HTTP surface that need no real backend.</summary>
internal static class FakeBackends
{
    public static Task<RunningServer> StartServerAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? more = null) =>
        RunningServer.StartAsync(settings, services =>
        {
            var registry = new FakeImageRegistry();
            services.AddSingleton<IRepoProvider>(new FakeRepoProvider());
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(registry);
            services.RemoveAll<IImageBuilder>();
            services.AddSingleton<IImageBuilder>(new FakeImageBuilder(registry));
            services.RemoveAll<ILauncher>();
            services.AddSingleton<ILauncher>(new FakeLauncher());
            more?.Invoke(services);
        });
}
