using System.Runtime.CompilerServices;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Grains;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Grains;

/// <summary>In-memory ports for grain logic tests: they record calls and play scripted events.</summary>
internal sealed class FakeRegistry : IImageRegistry
{
    public HashSet<string> Images { get; } = [];
    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken) =>
        Task.FromResult(Images.Contains(imageName) ? ImageLookup.Found : ImageLookup.Missing);
}

internal sealed class FakeBuilder(FakeRegistry registry) : IImageBuilder
{
    private int _calls;
    public int Calls => _calls;
    public TaskCompletionSource Gate { get; set; } = CompletedGate();
    public Func<BuildRequest, IEnumerable<BinderEvent>> Script { get; set; } =
        r => [BinderEvent.Of(BinderPhase.Fetching, "cloning"), BinderEvent.Of(BinderPhase.Building, "Step 1/2"), BinderEvent.Of(BinderPhase.Building, "Step 2/2")];
    public bool HangAfterScript { get; set; }

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await Gate.Task.WaitAsync(cancellationToken);
        var failed = false;
        foreach (var e in Script(request))
        {
            failed |= e.Phase == BinderPhase.Failed;
            yield return e;
        }
        if (HangAfterScript) await Task.Delay(Timeout.Infinite, cancellationToken);
        if (!failed) registry.Images.Add(request.ImageName);
    }

    private static TaskCompletionSource CompletedGate()
    {
        var tcs = new TaskCompletionSource();
        tcs.SetResult();
        return tcs;
    }
}

internal sealed class FakeLauncher : ILauncher
{
    private int _calls;
    public int Calls => _calls;
    public BinderEvent? Outcome { get; set; }

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _calls);
        await Task.Yield();
        yield return BinderEvent.Of(BinderPhase.Launching, "Server requested");
        yield return Outcome ?? new BinderEvent { Phase = BinderPhase.Ready, Url = $"http://127.0.0.1:{9000 + n}/", Token = $"token-{n}" };
    }
}

internal sealed class FakeProvider : IRepoProvider
{
    public string Id => "fake";
    public string Name => "Fake";
    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Fake", Id = "fake", Spec = new("[^/]+/.+"),
        Repo = new("repo", "owner/repo", false), Ref = new(true, "HEAD"),
    };
    public ResolveResult? Result { get; set; }

    public ResolveResult.Failed? CheckSpec(string spec) => null;

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken) =>
        Task.FromResult(Result ?? new ResolveResult.Resolved(new ResolvedRepo(
            $"https://example.invalid/{spec}", "0123456789abcdef0123456789abcdef01234567", $"https://example.invalid/{spec}/tree",
            $"{spec}/0123456789abcdef0123456789abcdef01234567", spec, "HEAD")));
}

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

internal sealed class TestLifetime : IHostApplicationLifetime
{
    public CancellationTokenSource Stopping { get; } = new();
    public CancellationToken ApplicationStarted => CancellationToken.None;
    public CancellationToken ApplicationStopping => Stopping.Token;
    public CancellationToken ApplicationStopped => CancellationToken.None;
    public void StopApplication() => Stopping.Cancel();
}

/// <summary>Grain hosts wired to the fakes above.</summary>
internal sealed class GrainRig
{
    public FakeRegistry Registry { get; } = new();
    public FakeBuilder Builder { get; }
    public FakeLauncher Launcher { get; } = new();
    public FakeProvider Provider { get; } = new();
    public FakeQuota Quota { get; } = new();
    public TestLifetime Lifetime { get; } = new();
    public BuildOptions BuildOptions { get; } = new() { FailedBuildLinger = TimeSpan.Zero };
    public SiteOptions Site { get; } = new() { SessionLinger = TimeSpan.FromMinutes(1), ReconnectGrace = TimeSpan.FromMilliseconds(200) };
    public TimeProvider Time { get; set; } = TimeProvider.System;
    public BinderMetrics Metrics { get; } = new(new PrometheusRegistry());
    public BuildGrains Builds { get; }
    public LaunchGrains Launches { get; }

    public GrainRig(Action<GrainRig>? configure = null)
    {
        Builder = new FakeBuilder(Registry);
        configure?.Invoke(this);
        Builds = new BuildGrains(Registry, Builder, new BuildQueue(BuildOptions.ConcurrentLimit), Options.Create(BuildOptions),
            Time, Metrics, NullLogger<IBuildGrain>.Instance, Lifetime);
        Launches = new LaunchGrains(new RepoProviderRegistry([Provider]), Builds, Launcher, Quota, Options.Create(Site),
            Time, new NullLaunchObserver(), Metrics, NullLogger<ILaunchGrain>.Instance, Lifetime);
    }

    public static BuildRequest Request(string image = "img:abc") => new(image, "build-img", "https://example.invalid/r", "abc", "fake");

    public static async Task<List<BinderEvent>> CollectAsync(IAsyncEnumerable<BinderEvent> events)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var list = new List<BinderEvent>();
        await foreach (var e in events.WithCancellation(cts.Token)) list.Add(e);
        return list;
    }

    public static async Task<List<BinderEvent>> CollectAsync(ILaunchGrain session)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var list = new List<BinderEvent>();
        await foreach (var (_, e) in session.WatchAsync(0, cts.Token)) list.Add(e);
        return list;
    }
}

/// <summary>Replaces the server's ports with the fakes, for tests of the HTTP surface that need no real backend.</summary>
internal static class FakeBackends
{
    public static Task<RunningServer> StartServerAsync(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? more = null) =>
        RunningServer.StartAsync(settings, services =>
        {
            var registry = new FakeRegistry();
            services.AddSingleton<IRepoProvider, FakeProvider>();
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(registry);
            services.RemoveAll<IImageBuilder>();
            services.AddSingleton<IImageBuilder>(new FakeBuilder(registry));
            services.RemoveAll<ILauncher>();
            services.AddSingleton<ILauncher, FakeLauncher>();
            more?.Invoke(services);
        });
}
