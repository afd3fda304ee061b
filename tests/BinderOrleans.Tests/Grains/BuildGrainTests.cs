using BinderOrleans.Core.Events;

namespace BinderOrleans.Tests.Grains;

public sealed class BuildGrainTests
{
    [Fact]
    public async Task ConcurrentAttachers_ShareOneBuild_AndSeeTheSameLog()
    {
        var rig = new GrainRig();
        rig.Builder.Gate = new TaskCompletionSource();
        var watchers = Enumerable.Range(0, 5)
            .Select(i => GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out _).WatchAsync(CancellationToken.None)))
            .ToArray();
        rig.Builder.Gate.SetResult();
        var logs = await Task.WhenAll(watchers);

        Assert.Equal(1, rig.Builder.Calls);
        var first = logs[0].Select(BinderEventJson.Serialize).ToArray();
        Assert.All(logs, l => Assert.Equal(first, l.Select(BinderEventJson.Serialize)));
        Assert.Equal([BinderPhase.Waiting, BinderPhase.Fetching, BinderPhase.Building, BinderPhase.Building, BinderPhase.Built], logs[0].Select(e => e.Phase));
        Assert.Equal("img:abc", logs[0][^1].ImageName);
        Assert.Equal("Built image, launching...\n", logs[0][^1].Message);
    }

    [Fact]
    public async Task LateAttacher_WhileBuilding_ReplaysEverything()
    {
        var rig = new GrainRig();
        rig.Builder.Gate = new TaskCompletionSource();
        var early = GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out var created1).WatchAsync(CancellationToken.None));
        var grain = rig.Builds.Attach(GrainRig.Request(), out var created2);
        rig.Builder.Gate.SetResult();
        var earlyEvents = await early;
        var late = await GrainRig.CollectAsync(grain.WatchAsync(CancellationToken.None));
        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal(earlyEvents.Select(BinderEventJson.Serialize), late.Select(BinderEventJson.Serialize));
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task RequestAfterSuccessfulBuild_FindsTheImage_InsteadOfReplayingTheBuild()
    {
        var rig = new GrainRig(r => r.BuildOptions.FailedBuildLinger = TimeSpan.FromMinutes(1));
        var grain = rig.Builds.Attach(GrainRig.Request(), out _);
        await GrainRig.CollectAsync(grain.WatchAsync(CancellationToken.None));
        await WaitUntil(() => rig.Builds.ActiveCount == 0);
        var again = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out var created).WatchAsync(CancellationToken.None));
        Assert.True(created);
        Assert.Equal("Found built image, launching...\n", Assert.Single(again).Message);
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task RequestAfterFailedBuild_ReplaysTheFailure_WithoutRebuilding()
    {
        var rig = new GrainRig(r => r.BuildOptions.FailedBuildLinger = TimeSpan.FromMinutes(1));
        rig.Builder.Script = _ => [BinderEvent.Of(BinderPhase.Building, "Step 1"), BinderEvent.Failed("RUN false returned 1")];
        var first = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out _).WatchAsync(CancellationToken.None));
        var again = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out var created).WatchAsync(CancellationToken.None));
        Assert.False(created);
        Assert.Equal(first.Select(BinderEventJson.Serialize), again.Select(BinderEventJson.Serialize));
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task ExistingImage_IsFound_WithoutBuilding()
    {
        var rig = new GrainRig();
        rig.Registry.Images.Add("img:abc");
        var events = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out _).WatchAsync(CancellationToken.None));
        Assert.Equal(0, rig.Builder.Calls);
        var only = Assert.Single(events);
        Assert.Equal(BinderPhase.Built, only.Phase);
        Assert.Equal("Found built image, launching...\n", only.Message);
    }

    [Fact]
    public async Task FailedBuild_EndsWithFailed_CarryingStatusCode()
    {
        var rig = new GrainRig();
        rig.Builder.Script = _ => [BinderEvent.Of(BinderPhase.Building, "Step 1"), BinderEvent.Failed("RUN false returned 1")];
        var events = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out _).WatchAsync(CancellationToken.None));
        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Equal(500, events[^1].StatusCode);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Built);
    }

    [Fact]
    public async Task SilentBuild_IsStopped_ByTheNoOutputWatchdog()
    {
        var rig = new GrainRig(r => r.BuildOptions.NoOutputTimeout = TimeSpan.FromMilliseconds(300));
        rig.Builder.HangAfterScript = true;
        var events = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out _).WatchAsync(CancellationToken.None));
        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Contains("printed nothing", events[^1].Message);
        Assert.Equal(504, events[^1].StatusCode);
    }

    [Fact]
    public async Task BuilderThatThrows_BecomesAFailedEvent()
    {
        var rig = new GrainRig();
        rig.Builder.Script = _ => throw new InvalidOperationException("boom");
        var events = await GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request(), out _).WatchAsync(CancellationToken.None));
        var last = events[^1];
        Assert.Equal(BinderPhase.Failed, last.Phase);
        Assert.Equal(500, last.StatusCode);
        Assert.DoesNotContain("boom", last.Message);
    }

    [Fact]
    public async Task FullQueue_TellsWaitersTheirPosition()
    {
        var rig = new GrainRig(r => r.BuildOptions.ConcurrentLimit = 1);
        rig.Builder.Gate = new TaskCompletionSource();
        var first = GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request("a:1"), out _).WatchAsync(CancellationToken.None));
        var second = GrainRig.CollectAsync(rig.Builds.Attach(GrainRig.Request("b:1"), out _).WatchAsync(CancellationToken.None));
        await WaitUntil(() => rig.Builds.Queue.Waiting == 1);
        rig.Builder.Gate.SetResult();
        // Both grains start on the thread pool, so either may get the slot; exactly one waited in line.
        var logs = await Task.WhenAll(first, second);
        var queued = logs.Count(l => l.Any(e => e.Phase == BinderPhase.Waiting && e.Message!.Contains("position 1 in line")));
        Assert.Equal(1, queued);
        Assert.All(logs, l => Assert.Equal(BinderPhase.Built, l[^1].Phase));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }
}
