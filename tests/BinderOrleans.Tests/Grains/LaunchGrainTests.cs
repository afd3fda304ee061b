using BinderOrleans.Core.Events;
using BinderOrleans.Core.Grains;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Providers;

namespace BinderOrleans.Tests.Grains;

public sealed class LaunchGrainTests
{
    private static LaunchSpec Spec(string spec = "owner/repo/HEAD", string provider = "fake") =>
        new(provider, spec, "127.0.0.1", "http://127.0.0.1:8585/");

    [Fact]
    public async Task FullFlow_ReadyCarriesBinderHubFields()
    {
        var rig = new GrainRig();
        var events = await GrainRig.CollectAsync(rig.Launches.Start(Spec()));
        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        Assert.Equal("http://127.0.0.1:9001/", ready.Url);
        Assert.Equal("token-1", ready.Token);
        Assert.Equal("https://example.invalid/owner/repo/HEAD", ready.RepoUrl);
        Assert.Equal("v2/fake/owner/repo/HEAD", ready.BinderRequest);
        Assert.Equal("v2/fake/owner/repo/HEAD/0123456789abcdef0123456789abcdef01234567", ready.BinderPersistentRequest);
        Assert.Equal("http://127.0.0.1:8585/", ready.BinderLaunchHost);
        Assert.Equal("127.0.0.1", ready.BinderClientIp);
        Assert.Equal(ready.Image, events.Single(e => e.Phase == BinderPhase.Built).ImageName);
        Assert.Equal("server running at http://127.0.0.1:9001/\n", ready.Message);
        Assert.Equal(2, rig.Quota.Checks);
    }

    [Fact]
    public async Task TwoSessions_ShareTheBuild_ButLaunchTheirOwnServers()
    {
        var rig = new GrainRig();
        rig.Builder.Gate = new TaskCompletionSource();
        var a = GrainRig.CollectAsync(rig.Launches.Start(Spec()));
        var b = GrainRig.CollectAsync(rig.Launches.Start(Spec()));
        rig.Builder.Gate.SetResult();
        var (ea, eb) = (await a, await b);
        Assert.Equal(1, rig.Builder.Calls);
        Assert.Equal(2, rig.Launcher.Calls);
        Assert.NotEqual(ea[^1].Token, eb[^1].Token);
    }

    [Fact]
    public async Task UnknownProvider_FailsWith404()
    {
        var rig = new GrainRig();
        var events = await GrainRig.CollectAsync(rig.Launches.Start(Spec(provider: "nope")));
        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(404, failed.StatusCode);
        Assert.Equal("No provider found for prefix nope\n", failed.Message);
    }

    [Fact]
    public async Task ResolveFailure_IsRelayed_AndNothingIsBuilt()
    {
        var rig = new GrainRig();
        rig.Provider.Result = new ResolveResult.Failed("Could not resolve ref for fake:x/y/z.", 404);
        var events = await GrainRig.CollectAsync(rig.Launches.Start(Spec()));
        Assert.Equal(404, Assert.Single(events).StatusCode);
        Assert.Equal(0, rig.Builder.Calls);
    }

    [Fact]
    public async Task QuotaRefusal_StopsBeforeBuilding()
    {
        var rig = new GrainRig();
        rig.Quota.Decision = new QuotaDecision(false, "Too many users on this BinderHub! Try again soon.", "pod_quota");
        var events = await GrainRig.CollectAsync(rig.Launches.Start(Spec()));
        var failed = Assert.Single(events);
        Assert.Equal(429, failed.StatusCode);
        Assert.Equal(0, rig.Builder.Calls);
        Assert.Equal(0, rig.Launcher.Calls);
    }

    [Fact]
    public async Task LaunchFailure_WithoutStatus_Gets500()
    {
        var rig = new GrainRig();
        rig.Launcher.Outcome = new BinderEvent { Phase = BinderPhase.Failed, Message = "Image failed to launch\n" };
        var events = await GrainRig.CollectAsync(rig.Launches.Start(Spec()));
        Assert.Equal(500, events[^1].StatusCode);
    }

    [Fact]
    public async Task ReconnectingWatcher_ResumesFromItsIndex_WithoutANewLaunch()
    {
        var rig = new GrainRig();
        var session = rig.Launches.Start(Spec());
        var all = await GrainRig.CollectAsync(session);
        Assert.Same(session, rig.Launches.Find(session.Key));

        var resumed = new List<(int, BinderEvent)>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var item in session.WatchAsync(2, cts.Token)) resumed.Add(item);
        Assert.Equal(all.Count - 2, resumed.Count);
        Assert.Equal(2, resumed[0].Item1);
        Assert.Equal(1, rig.Launcher.Calls);
    }

    [Fact]
    public async Task SessionNobodyWatches_IsAbandoned_BeforeLaunching()
    {
        var rig = new GrainRig();
        rig.Builder.Gate = new TaskCompletionSource();
        var session = rig.Launches.Start(Spec());
        using (var cts = new CancellationTokenSource())
        {
            await using var e = session.WatchAsync(0, cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await e.MoveNextAsync());
        }
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        rig.Builder.Gate.SetResult();
        Assert.Equal(0, rig.Launcher.Calls);
        var events = await GrainRig.CollectAsync(session);
        Assert.Equal(499, events[^1].StatusCode);
    }

    [Fact]
    public async Task GraceTimerFiringAfterTheSessionEnded_DoesNothing()
    {
        // Regression: Timer.Dispose does not wait for a callback already running, so the reconnect-grace callback can
        // run after the session finished and disposed its token source. It used to call Cancel() on it; the exception
        // escaped the timer thread and ended the process. Replay exactly that order with a timer the test fires.
        var time = new CapturingTimeProvider();
        var rig = new GrainRig(r => r.Time = time);
        rig.Builder.Gate = new TaskCompletionSource();
        var session = rig.Launches.Start(Spec());
        using (var cts = new CancellationTokenSource())
        {
            await using var e = session.WatchAsync(0, cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await e.MoveNextAsync());
        }
        var grace = Assert.Single(time.Timers, t => t.DueTime == rig.Site.ReconnectGrace);
        var watcher = session.WatchAsync(0, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await watcher.MoveNextAsync()); // someone is back, so the session runs to its end
        rig.Builder.Gate.SetResult();
        while (await watcher.MoveNextAsync()) { }
        await watcher.DisposeAsync();
        await session.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        grace.Fire();

        Assert.Equal(BinderPhase.Ready, (await GrainRig.CollectAsync(session))[^1].Phase);
    }

    /// <summary>Real clock, but timers are only recorded; the test fires them.</summary>
    private sealed class CapturingTimeProvider : TimeProvider
    {
        public List<CapturedTimer> Timers { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new CapturedTimer(callback, state, dueTime);
            lock (Timers) Timers.Add(timer);
            return timer;
        }
    }

    private sealed class CapturedTimer(TimerCallback callback, object? state, TimeSpan dueTime) : ITimer
    {
        public TimeSpan DueTime { get; } = dueTime;
        public void Fire() => callback(state);
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
