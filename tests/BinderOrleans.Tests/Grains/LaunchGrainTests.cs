using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using Microsoft.Extensions.Time.Testing;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.Grains;

public sealed class LaunchGrainTests
{
    private static LaunchSpec Spec(string spec = "owner/repo/HEAD", string provider = "fake") =>
        new(provider, spec, "127.0.0.1", "http://127.0.0.1:8585/");

    [Fact]
    public async Task FullFlow_ReadyCarriesBinderHubFields()
    {
        await using var rig = await GrainRig.StartAsync();
        var events = await GrainRig.CollectAsync(rig.Launch(Spec()).Events);
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
    public async Task Launches_RecordTheImagesLastUse_OnTheGrainsClock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        await using var rig = await GrainRig.StartAsync(r => r.Time = clock);
        var uses = rig.Grains.GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey);

        var first = (await GrainRig.CollectAsync(rig.Launch(Spec("owner/one/HEAD")).Events))[^1];
        clock.Advance(TimeSpan.FromDays(3));
        var second = (await GrainRig.CollectAsync(rig.Launch(Spec("owner/two/HEAD")).Events))[^1];
        clock.Advance(TimeSpan.FromDays(2));
        // The first image again: this time it is found built, and that counts as a use too.
        var again = await GrainRig.CollectAsync(rig.Launch(Spec("owner/one/HEAD")).Events);

        Assert.Equal(BinderPhase.Ready, again[^1].Phase);
        Assert.Contains(again, e => e.Phase == BinderPhase.Built && e.Message!.StartsWith("Found built image", StringComparison.Ordinal));
        Assert.Equal(
            [new ImageUse(second.Image!, clock.GetUtcNow() - TimeSpan.FromDays(2)), new ImageUse(first.Image!, clock.GetUtcNow(), Uses: 2)],
            await uses.ListAsync());
    }

    [Fact]
    public async Task Launches_OnEitherSilo_RecordInTheOneClusterBook()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        await using var rig = await GrainRig.StartAsync(r => r.Time = clock, silos: 2);

        var one = (await GrainRig.CollectAsync(rig.Launch(Spec("owner/one/HEAD"), silo: 0).Events).WaitAsync(TimeSpan.FromSeconds(60)))[^1];
        clock.Advance(TimeSpan.FromHours(1));
        var two = (await GrainRig.CollectAsync(rig.Launch(Spec("owner/two/HEAD"), silo: 1).Events).WaitAsync(TimeSpan.FromSeconds(60)))[^1];
        clock.Advance(TimeSpan.FromHours(1));
        var again = await GrainRig.CollectAsync(rig.Launch(Spec("owner/one/HEAD"), silo: 1).Events).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(BinderPhase.Ready, again[^1].Phase);
        Assert.Contains(again, e => e.Phase == BinderPhase.Built && e.Message!.StartsWith("Found built image", StringComparison.Ordinal));
        // Asked through each silo, the book is the same one: both silos' launches, the found-built one counted too.
        foreach (var silo in rig.Cluster.Silos)
        {
            var grains = silo.ServiceProvider.GetRequiredService<IGrainFactory>();
            var book = await grains.GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey).GetBookAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(new[] { new ImageUse(two.Image!, clock.GetUtcNow() - TimeSpan.FromHours(1)), new ImageUse(one.Image!, clock.GetUtcNow(), Uses: 2) }, book.Uses);
        }
    }

    [Fact]
    public async Task ImageUseBook_RunningReports_CountUntilTheyExpire()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 10, 12, 0, 0, TimeSpan.Zero));
        await using var rig = await GrainRig.StartAsync(r => r.Time = clock);
        var book = rig.Grains.GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey);

        await book.ReportRunningAsync("replica-a", ["img:a", "img:shared"], TimeSpan.FromMinutes(10));
        await book.ReportRunningAsync("replica-b", ["img:shared", "img:b"], TimeSpan.FromMinutes(30));
        Assert.Equal(new[] { "img:a", "img:b", "img:shared" }, (await book.GetBookAsync()).Running);

        // A's report replaced by its next one; B's lapses when B stops reporting.
        await book.ReportRunningAsync("replica-a", ["img:c"], TimeSpan.FromMinutes(10));
        Assert.Equal(new[] { "img:b", "img:c", "img:shared" }, (await book.GetBookAsync()).Running);
        clock.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(new[] { "img:b", "img:shared" }, (await book.GetBookAsync()).Running);
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Empty((await book.GetBookAsync()).Running);
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromMinutes(31), (await book.GetBookAsync()).Since);
    }

    [Fact]
    public async Task TwoSessions_ShareTheBuild_ButLaunchTheirOwnServers()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Builder.Gate = new TaskCompletionSource();
        var a = GrainRig.CollectAsync(rig.Launch(Spec()).Events);
        var b = GrainRig.CollectAsync(rig.Launch(Spec()).Events);
        rig.Builder.Gate.SetResult();
        var (ea, eb) = (await a, await b);
        Assert.Equal(1, rig.Builder.Calls);
        Assert.Equal(2, rig.Launcher.Calls);
        Assert.NotEqual(ea[^1].Token, eb[^1].Token);
    }

    [Fact]
    public async Task UnknownProvider_FailsWith404()
    {
        await using var rig = await GrainRig.StartAsync();
        var events = await GrainRig.CollectAsync(rig.Launch(Spec(provider: "nope")).Events);
        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(404, failed.StatusCode);
        Assert.Equal("No provider found for prefix nope\n", failed.Message);
    }

    [Fact]
    public async Task ResolveFailure_IsRelayed_AndNothingIsBuilt()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Provider.Result = new ResolveResult.Failed("Could not resolve ref for fake:x/y/z.", 404);
        var events = await GrainRig.CollectAsync(rig.Launch(Spec()).Events);
        Assert.Equal(404, Assert.Single(events).StatusCode);
        Assert.Equal(0, rig.Builder.Calls);
    }

    [Fact]
    public async Task QuotaRefusal_StopsBeforeBuilding()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Quota.Decision = new QuotaDecision(false, "Too many users on this BinderHub! Try again soon.", "pod_quota");
        var events = await GrainRig.CollectAsync(rig.Launch(Spec()).Events);
        var failed = Assert.Single(events);
        Assert.Equal(429, failed.StatusCode);
        Assert.Equal(0, rig.Builder.Calls);
        Assert.Equal(0, rig.Launcher.Calls);
    }

    [Fact]
    public async Task LaunchFailure_WithoutStatus_Gets500()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Launcher.Outcome = new BinderEvent { Phase = BinderPhase.Failed, Message = "Image failed to launch\n" };
        var events = await GrainRig.CollectAsync(rig.Launch(Spec()).Events);
        Assert.Equal(500, events[^1].StatusCode);
    }

    [Fact]
    public async Task ReconnectingWatcher_ResumesFromItsIndex_WithoutANewLaunch()
    {
        await using var rig = await GrainRig.StartAsync();
        var (key, events) = rig.Launch(Spec());
        var all = await GrainRig.CollectAsync(events);

        var resumed = await CollectEntriesAsync(rig.Sessions().WatchAsync(key, Spec(), 2, CancellationToken.None));
        Assert.Equal(all.Count - 2, resumed.Count);
        Assert.Equal(2, resumed[0].Index);
        Assert.Equal(all.Skip(2).Select(BinderEventJson.Serialize), resumed.Select(e => BinderEventJson.Serialize(e.Event)));
        Assert.Equal(1, rig.Launcher.Calls);
    }

    [Fact]
    public async Task SessionResumedFromAnotherSilo_ContinuesWithoutRepeatOrLoss()
    {
        await using var rig = await GrainRig.StartAsync(silos: 2);
        // The client is away between its two connections: the grace must outlast that on a loaded machine.
        rig.Site.ReconnectGrace = TimeSpan.FromSeconds(30);
        rig.Builder.Gate = new TaskCompletionSource();
        var key = rig.Sessions().NewKey();
        var seen = new List<SessionEntry>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            // The client reads the first event through silo 0's front end, then its connection drops ...
            await using var first = rig.Sessions(0).WatchAsync(key, Spec(), 0, cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await first.MoveNextAsync());
            seen.Add(first.Current);
        }
        // ... and it reconnects through silo 1 with the last id it saw.
        var rest = CollectEntriesAsync(rig.Sessions(1).WatchAsync(key, Spec(), seen[^1].Index + 1, CancellationToken.None));
        rig.Builder.Gate.SetResult();
        seen.AddRange(await rest);

        Assert.Equal(Enumerable.Range(0, seen.Count), seen.Select(e => e.Index));
        Assert.Equal(BinderPhase.Ready, seen[^1].Event.Phase);
        Assert.Equal(1, rig.Launcher.Calls);
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task SessionNobodyWatches_IsAbandoned_BeforeLaunching()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Builder.Gate = new TaskCompletionSource();
        var key = rig.Sessions().NewKey();
        using (var cts = new CancellationTokenSource())
        {
            await using var e = rig.Sessions().WatchAsync(key, Spec(), 0, cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await e.MoveNextAsync());
            await cts.CancelAsync();
        }
        await GrainRig.WaitUntil(async () => (await rig.Sessions().GetStateAsync(key)).Completed);
        rig.Builder.Gate.SetResult();
        Assert.Equal(0, rig.Launcher.Calls);
        var events = await CollectEntriesAsync(rig.Sessions().WatchAsync(key, Spec(), 0, CancellationToken.None));
        Assert.Equal(499, events[^1].Event.StatusCode);
    }

    [Fact]
    public async Task LaunchReadyAfterClientLeft_ServerStoppedWhenTheGraceEnds()
    {
        // Issue 12, defect 1: the client leaves right after `launching`; the server answers later, for nobody.
        await using var rig = await GrainRig.StartAsync(r => r.Site.ReconnectGrace = TimeSpan.FromSeconds(1));
        rig.Launcher.ReadyGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = await LeaveAtLaunchingAsync(rig);
        rig.Launcher.ReadyGate.SetResult();

        await GrainRig.WaitUntil(async () => (await rig.Sessions().GetStateAsync(key)).Completed);
        Assert.Equal(["server-1"], rig.Launcher.Readied);
        Assert.Equal(["server-1"], rig.Launcher.Stopped);
        var events = await CollectEntriesAsync(rig.Sessions().WatchAsync(key, Spec(), 0, CancellationToken.None));
        Assert.DoesNotContain(events, e => e.Event.Phase == BinderPhase.Ready);
        Assert.Equal(499, events[^1].Event.StatusCode);
    }

    [Fact]
    public async Task LaunchReadyAfterClientLeft_ClientBackWithinGrace_GetsTheServer()
    {
        await using var rig = await GrainRig.StartAsync(r => r.Site.ReconnectGrace = TimeSpan.FromMinutes(5));
        rig.Launcher.ReadyGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var key = await LeaveAtLaunchingAsync(rig);
        rig.Launcher.ReadyGate.SetResult();
        await GrainRig.WaitUntil(() => Task.FromResult(!rig.Launcher.Readied.IsEmpty));

        var state = await rig.Sessions().GetStateAsync(key);
        var rest = await CollectEntriesAsync(rig.Sessions().WatchAsync(key, Spec(), state.NextIndex, CancellationToken.None));
        var ready = rest[^1].Event;
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        Assert.Equal("token-1", ready.Token);
        Assert.Null(ready.Server);
        Assert.Empty(rig.Launcher.Stopped);
        Assert.Equal(1, rig.Launcher.Calls);
    }

    [Fact]
    public async Task LaunchReadyWhileWatched_IsNotStopped()
    {
        await using var rig = await GrainRig.StartAsync();
        var events = await GrainRig.CollectAsync(rig.Launch(Spec()).Events);
        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Null(events[^1].Server);
        Assert.Empty(rig.Launcher.Stopped);
    }

    /// <summary>Starts a session, reads until the launcher's first `launching` event, and disconnects.</summary>
    private static async Task<string> LeaveAtLaunchingAsync(GrainRig rig)
    {
        var key = rig.Sessions().NewKey();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using (var e = rig.Sessions().WatchAsync(key, Spec(), 0, cts.Token).GetAsyncEnumerator(cts.Token))
        {
            while (await e.MoveNextAsync() && e.Current.Event.Phase != BinderPhase.Launching)
            {
            }
            Assert.Equal(BinderPhase.Launching, e.Current.Event.Phase);
            await cts.CancelAsync();
        }
        return key;
    }

    [Fact]
    public async Task SessionBound_EvictsTheOldestFinished_AndRefusesWhenAllRun()
    {
        await using var rig = await GrainRig.StartAsync(r => r.Site.MaxSessions = 2);
        var sessions = rig.Sessions();
        Assert.Null(sessions.Admit());
        var (done, events) = rig.Launch(Spec());
        await GrainRig.CollectAsync(events);
        rig.Builder.Gate = new TaskCompletionSource();
        rig.Registry.Images.Clear();
        Assert.Null(sessions.Admit());
        var running = CollectEntriesAsync(sessions.WatchAsync(rig.Sessions().NewKey(), Spec("owner/other/HEAD"), 0, CancellationToken.None));
        var table = rig.Cluster.Silos[0].ServiceProvider.GetRequiredService<LaunchSessionTable>();
        await GrainRig.WaitUntil(() => Task.FromResult(table.Count == 2));

        // At the bound: the finished session makes room ...
        Assert.Null(sessions.Admit());
        Assert.Equal(1, table.Count);
        var third = CollectEntriesAsync(sessions.WatchAsync(rig.Sessions().NewKey(), Spec("owner/third/HEAD"), 0, CancellationToken.None));
        await GrainRig.WaitUntil(() => Task.FromResult(table.Count == 2));
        // ... but running sessions are never dropped: the next request is refused.
        var refusal = sessions.Admit();
        Assert.NotNull(refusal);
        Assert.Equal(503, refusal.StatusCode);
        Assert.Contains("limit of 2", refusal.Message);

        rig.Builder.Gate.SetResult();
        Assert.Equal(BinderPhase.Ready, (await running)[^1].Event.Phase);
        Assert.Equal(BinderPhase.Ready, (await third)[^1].Event.Phase);
        await GrainRig.WaitUntil(async () => !(await sessions.GetStateAsync(done)).Started);
    }

    private static async Task<List<SessionEntry>> CollectEntriesAsync(IAsyncEnumerable<SessionEntry> entries)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var list = new List<SessionEntry>();
        await foreach (var e in entries.WithCancellation(cts.Token)) list.Add(e);
        return list;
    }
}
