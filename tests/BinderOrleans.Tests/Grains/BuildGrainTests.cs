using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Tests.Grains;

public sealed class BuildGrainTests
{
    [Fact]
    public async Task ConcurrentAttachers_ShareOneBuild_AndSeeTheSameLog()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Builder.Gate = new TaskCompletionSource();
        // All five are attached (each has read the first event) before the build goes on.
        var watchers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => AttachAsync(rig.Build())));
        rig.Builder.Gate.SetResult();
        var logs = await Task.WhenAll(watchers.Select(RestAsync));

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
        await using var rig = await GrainRig.StartAsync();
        rig.Builder.Gate = new TaskCompletionSource();
        var early = GrainRig.CollectAsync(rig.Build());
        await GrainRig.WaitUntil(async () => (await rig.Build().GetStatusAsync()).Started);
        var late = await AttachAsync(rig.Build());
        rig.Builder.Gate.SetResult();
        var (earlyEvents, lateEvents) = (await early, await RestAsync(late));
        Assert.Equal(earlyEvents.Select(BinderEventJson.Serialize), lateEvents.Select(BinderEventJson.Serialize));
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task RequestAfterSuccessfulBuild_FindsTheImage_InsteadOfReplayingTheBuild()
    {
        await using var rig = await GrainRig.StartAsync(r => r.BuildOptions.FailedBuildLinger = TimeSpan.FromMinutes(1));
        var first = new List<BuildLogEntry>();
        await foreach (var entry in rig.Build().WatchAsync(GrainRig.Request())) first.Add(entry);
        // The finished, unwatched activation goes at once; the next request gets a new one that finds the image.
        await GrainRig.WaitUntil(async () => (await rig.Build().GetStatusAsync()).Generation != first[0].Generation);
        var again = await GrainRig.CollectAsync(rig.Build());
        Assert.Equal(BinderPhase.Built, first[^1].Event.Phase);
        Assert.Equal("Found built image, launching...\n", Assert.Single(again).Message);
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task RequestRightAfterASuccessfulBuild_FindsTheImage_WithoutTheLog_WhicheverActivationAnswers()
    {
        await using var rig = await GrainRig.StartAsync();
        var first = await GrainRig.CollectAsync(rig.Build());

        // No wait: the finished activation may still be there (it answers from its outcome) or be gone (the next one
        // looks the image up). Either way the image is found; the build's log is not replayed and nothing rebuilds.
        var again = await GrainRig.CollectAsync(rig.Build());

        Assert.Equal("Built image, launching...\n", first[^1].Message);
        Assert.Equal("Found built image, launching...\n", Assert.Single(again).Message);
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task RequestAfterFailedBuild_ReplaysTheFailure_SayingSo_WithoutRebuilding()
    {
        await using var rig = await GrainRig.StartAsync(r => r.BuildOptions.FailedBuildLinger = TimeSpan.FromMinutes(1));
        rig.Builder.Script = _ => [BinderEvent.Of(BinderPhase.Building, "Step 1"), BinderEvent.Failed("RUN false returned 1")];
        var first = await GrainRig.CollectAsync(rig.Build());
        var again = await GrainRig.CollectAsync(rig.Build());
        Assert.Contains("replaying its log", again[0].Message);
        Assert.Equal(first.Select(BinderEventJson.Serialize), again.Skip(1).Select(BinderEventJson.Serialize));
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task FailureOfTheMachinery_DoesNotLinger_SoTheNextRequestBuildsAgain()
    {
        await using var rig = await GrainRig.StartAsync(r => r.BuildOptions.FailedBuildLinger = TimeSpan.FromMinutes(1));
        rig.Builder.Script = _ => [BinderEvent.Failed("The Docker engine went away during the build.", 503)];
        var first = await GrainRig.CollectAsync(rig.Build());
        Assert.Equal(503, first[^1].StatusCode);
        rig.Builder.Script = _ => [BinderEvent.Of(BinderPhase.Building, "Step 1")];
        await GrainRig.WaitUntil(async () => !(await rig.Build().GetStatusAsync()).Completed);
        var again = await GrainRig.CollectAsync(rig.Build());
        Assert.Equal(BinderPhase.Built, again[^1].Phase);
        Assert.Equal(2, rig.Builder.Calls);
    }

    [Fact]
    public async Task ExistingImage_IsFound_WithoutBuilding()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Registry.Images.Add("img:abc");
        var events = await GrainRig.CollectAsync(rig.Build());
        Assert.Equal(0, rig.Builder.Calls);
        var only = Assert.Single(events);
        Assert.Equal(BinderPhase.Built, only.Phase);
        Assert.Equal("Found built image, launching...\n", only.Message);
    }

    [Fact]
    public async Task FailedBuild_EndsWithFailed_CarryingStatusCode()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Builder.Script = _ => [BinderEvent.Of(BinderPhase.Building, "Step 1"), BinderEvent.Failed("RUN false returned 1")];
        var events = await GrainRig.CollectAsync(rig.Build());
        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Equal(500, events[^1].StatusCode);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Built);
    }

    [Fact]
    public async Task SilentBuild_IsStopped_ByTheNoOutputWatchdog()
    {
        await using var rig = await GrainRig.StartAsync(r => r.BuildOptions.NoOutputTimeout = TimeSpan.FromMilliseconds(300));
        rig.Builder.HangAfterScript = true;
        var events = await GrainRig.CollectAsync(rig.Build());
        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Contains("printed nothing", events[^1].Message);
        Assert.Equal(504, events[^1].StatusCode);
    }

    [Fact]
    public async Task BuilderThatThrows_BecomesAFailedEvent()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Builder.Script = _ => throw new InvalidOperationException("boom");
        var events = await GrainRig.CollectAsync(rig.Build());
        var last = events[^1];
        Assert.Equal(BinderPhase.Failed, last.Phase);
        Assert.Equal(500, last.StatusCode);
        Assert.DoesNotContain("boom", last.Message);
    }

    [Fact]
    public async Task FullQueue_TellsWaitersTheirPosition()
    {
        await using var rig = await GrainRig.StartAsync(r => r.BuildOptions.ConcurrentLimit = 1);
        rig.Builder.Gate = new TaskCompletionSource();
        var first = GrainRig.CollectAsync(rig.Build("a:1"), GrainRig.Request("a:1"));
        var second = GrainRig.CollectAsync(rig.Build("b:1"), GrainRig.Request("b:1"));
        var queue = rig.Grains.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey);
        await GrainRig.WaitUntil(async () => (await queue.GetStateAsync()).Waiting.Length == 1);
        rig.Builder.Gate.SetResult();
        // Either build may get the slot; exactly one waited in line.
        var logs = await Task.WhenAll(first, second);
        var queued = logs.Count(l => l.Any(e => e.Phase == BinderPhase.Waiting && e.Message!.Contains("position 1 in line")));
        Assert.Equal(1, queued);
        Assert.All(logs, l => Assert.Equal(BinderPhase.Built, l[^1].Phase));
        Assert.Empty((await queue.GetStateAsync()).Running);
    }

    /// <summary>A watcher that has read the first event: attached to the build, whenever the build ends.</summary>
    private static async Task<IAsyncEnumerator<BuildLogEntry>> AttachAsync(IBuildGrain grain)
    {
        var watcher = grain.WatchAsync(GrainRig.Request()).GetAsyncEnumerator();
        Assert.True(await watcher.MoveNextAsync());
        return watcher;
    }

    /// <summary>Everything the attached watcher sees, from its first event to the end.</summary>
    private static async Task<List<BinderEvent>> RestAsync(IAsyncEnumerator<BuildLogEntry> watcher)
    {
        var events = new List<BinderEvent> { watcher.Current.Event };
        while (await watcher.MoveNextAsync()) events.Add(watcher.Current.Event);
        await watcher.DisposeAsync();
        return events;
    }
}
