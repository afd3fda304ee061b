using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using BinderOrleans.Testing.Kubernetes;

namespace BinderOrleans.Tests.Kubernetes;

public sealed class KubernetesImageBuilderTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task TwoReplicas_SameBuild_OnePodOneConflict_BothRelayTheFullLogAndSucceed()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var first = BuildRun.Start(rig.Builder(), request);
        var second = BuildRun.Start(rig.Builder(), request);

        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        var lines = Enumerable.Range(1, 20).Select(i => KubeRig.Line(i <= 5 ? "fetching" : "building", $"line {i}")).ToArray();
        rig.Api.AppendLog(request.BuildName, lines);
        await first.WaitForAsync(e => e.Count == 20, Wait);
        await second.WaitForAsync(e => e.Count == 20, Wait);
        rig.Api.Succeed(request.BuildName);

        var a = await first.FinishAsync(Wait);
        var b = await second.FinishAsync(Wait);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"line {i}\n"), a.Select(e => e.Message));
        Assert.Equal(a, b);
        Assert.DoesNotContain(a, e => e.Phase == BinderPhase.Failed);
        Assert.Equal("fetching", a[0].Phase);
        Assert.Equal("building", a[^1].Phase);
        Assert.Equal(1, rig.Api.Creates);
        Assert.Equal(1, rig.Api.Conflicts);
        Assert.Equal([request.BuildName], rig.Api.Deletions);
        Assert.Null(rig.Api.Pod(request.BuildName));
    }

    [Fact]
    public async Task LateAttacher_After50Lines_GetsAll50_NotATail()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var early = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, Enumerable.Range(1, 50).Select(i => KubeRig.Line("building", $"Step {i}/60")).ToArray());
        await early.WaitForAsync(e => e.Count == 50, Wait);

        var late = BuildRun.Start(rig.Builder(), request);
        await late.WaitForAsync(e => e.Count == 50, Wait);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "Step 51/60"));
        rig.Api.Succeed(request.BuildName);

        var lateEvents = await late.FinishAsync(Wait);
        var earlyEvents = await early.FinishAsync(Wait);
        Assert.Equal(51, lateEvents.Count);
        Assert.Equal(earlyEvents, lateEvents);
        Assert.Equal("Step 1/60\n", lateEvents[0].Message);
        var logRequests = rig.Api.Requests.Where(r => r.IsLog).ToList();
        Assert.Equal(2, logRequests.Count);
        Assert.All(logRequests, r =>
        {
            Assert.Contains("follow=true", r.Query);
            Assert.Contains("container=builder", r.Query);
            Assert.DoesNotContain("tailLines", r.Query);
        });
    }

    [Fact]
    public async Task LogStreamBroken_WhileTheContainerRuns_IsReopened_WithoutRepeatingLines()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "Step 1/3"), KubeRig.Line("building", "Step 2/3"));
        await run.WaitForAsync(e => e.Count == 2, Wait);
        Assert.Equal(1, rig.Api.BreakLogStreams(request.BuildName));
        await WaitUntilAsync(() => rig.Api.Requests.Count(r => r.IsLog) == 2, "the log to be reopened");
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "Step 3/3"));
        await run.WaitForAsync(e => e.Count == 3, Wait);
        rig.Api.Succeed(request.BuildName);

        var events = await run.FinishAsync(Wait);
        Assert.Equal(["Step 1/3\n", "Step 2/3\n", "Step 3/3\n"], events.Select(e => e.Message));
    }

    [Fact]
    public async Task FailedPod_GivesFailedEvent_WithTheReasonAndLastLines_AndDeletesThePod()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "Step 7/9 : RUN pip install -r requirements.txt"), KubeRig.Line("building", "Collecting numpy"));
        await run.WaitForAsync(e => e.Count == 2, Wait);
        rig.Api.Fail(request.BuildName, containerReason: "OOMKilled", exitCode: 137);

        var events = await run.FinishAsync(Wait);
        var failed = events[^1];
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.Contains("OOMKilled", failed.Message);
        Assert.Contains("exit code 137", failed.Message);
        Assert.Contains("Collecting numpy", failed.Message);
        Assert.Equal([request.BuildName], rig.Api.Deletions);
    }

    [Fact]
    public async Task Repo2DockerFailureLine_FailsTheBuild_WithRepo2DockersMessage()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "Step 1/2"), KubeRig.Line("failure", "Error during build: the command returned 1"));
        await run.WaitForAsync(e => e.Count == 1, Wait);
        rig.Api.Fail(request.BuildName);

        var events = await run.FinishAsync(Wait);
        Assert.Equal([BinderPhase.Building, BinderPhase.Failed], events.Select(e => e.Phase));
        Assert.StartsWith("Error during build: the command returned 1\n", events[^1].Message);
    }

    [Fact]
    public async Task NonJsonLogLine_BecomesUnknownEvent_AndPhaselessJsonKeepsThePhase()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName,
            "warning: this is not JSON",
            KubeRig.Line("building", "Using PythonBuildPack builder"),
            """{"message": "Building conda environment for python=3.11\n"}""",
            "",
            """{"phase": "pushing", "message": "Pushing image\n", "progress": {"abc": {"current": 1, "total": 2}}}""");
        await run.WaitForAsync(e => e.Count == 4, Wait);
        rig.Api.Succeed(request.BuildName);

        var events = await run.FinishAsync(Wait);
        Assert.Equal(new BinderEvent { Phase = BinderPhase.Unknown, Message = "warning: this is not JSON\n" }, events[0]);
        Assert.Equal(BinderPhase.Building, events[2].Phase);
        Assert.Equal("Building conda environment for python=3.11\n", events[2].Message);
        Assert.Equal(BinderPhase.Pushing, events[3].Phase);
        Assert.Equal(2, (int?)events[3].Progress?["abc"]?["total"]);
        Assert.Equal(4, events.Count);
    }

    [Fact]
    public async Task WatchTimeout_IsReArmed_FromTheLastResourceVersion()
    {
        await using var rig = await KubeRig.StartAsync();
        rig.Api.WatchTimeoutCap = TimeSpan.FromMilliseconds(150);
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        await WaitUntilAsync(() => rig.Api.Requests.Count(r => r.IsWatch) >= 3, "three watch windows");
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "done"));
        await run.WaitForAsync(e => e.Count == 1, Wait);
        rig.Api.Succeed(request.BuildName);

        var events = await run.FinishAsync(Wait);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Failed);
        var watches = rig.Api.Requests.Where(r => r.IsWatch).ToList();
        Assert.All(watches, w =>
        {
            Assert.Contains("labelSelector=name%3D" + request.BuildName, w.Query);
            Assert.Contains("timeoutSeconds=30", w.Query);
            Assert.Contains("resourceVersion=", w.Query);
        });
        // One list at the start: every re-armed watch resumed from its resource version instead of listing again.
        Assert.Equal(1, rig.Api.Requests.Count(r => r.IsList));
    }

    [Fact]
    public async Task ExpiredResourceVersion_410Gone_ListsAgain_AndCarriesOn()
    {
        await using var rig = await KubeRig.StartAsync();
        rig.Api.WatchTimeoutCap = TimeSpan.FromMilliseconds(150);
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        await WaitUntilAsync(() => rig.Api.Requests.Any(r => r.IsWatch), "the first watch");
        rig.Api.ExpireResourceVersions();
        await WaitUntilAsync(() => rig.Api.Requests.Count(r => r.IsList) >= 2, "a second list after 410 Gone");
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "after the relist"));
        await run.WaitForAsync(e => e.Count == 1, Wait);
        rig.Api.Succeed(request.BuildName);

        var events = await run.FinishAsync(Wait);
        Assert.Equal(["after the relist\n"], events.Select(e => e.Message));
        Assert.True(rig.Api.ExpiredWatches >= 1);
    }

    [Fact]
    public async Task PodDeletedWhileWaiting_Fails()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        await WaitUntilAsync(() => rig.Api.Requests.Any(r => r.IsWatch), "the watch");
        rig.Api.DeletePod(request.BuildName);

        var events = await run.FinishAsync(Wait);
        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Contains("deleted before it finished", failed.Message);
    }

    [Fact]
    public async Task PodGoneWithoutFinalState_ImageInRegistry_CountsAsBuilt()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        await WaitUntilAsync(() => rig.Api.Requests.Any(r => r.IsWatch), "the watch");
        // Another replica saw it succeed, pushed image and all, and the pod vanished before this watcher saw the end.
        rig.Registry.Add(request.ImageName);
        rig.Api.DeletePod(request.BuildName);

        var events = await run.FinishAsync(Wait);
        Assert.Empty(events);
    }

    [Fact]
    public async Task ApiServerDown_FailsAtOnce_WithAClearMessage()
    {
        await using var rig = await KubeRig.StartAsync();
        var port = rig.Api.BaseUri.Port;
        await rig.Api.DisposeAsync();
        var request = KubeRig.Request();

        var events = await BuildRun.Start(rig.Builder(), request).FinishAsync(Wait);
        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Contains($"creating build pod {request.BuildName}", failed.Message);
        Assert.Contains($"127.0.0.1:{port}", failed.Message);
        Assert.Contains("unreachable", failed.Message);
    }

    [Fact]
    public async Task ApiServerGoneMidBuild_FailsAfterItsRetries_WithAClearMessage()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        var run = BuildRun.Start(rig.Builder(time: new HurriedTime()), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        await WaitUntilAsync(() => rig.Api.Requests.Any(r => r.IsWatch), "the watch");
        await rig.Api.DisposeAsync();

        var events = await run.FinishAsync(Wait);
        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.StartsWith($"Lost contact with the Kubernetes API while watching build pod {request.BuildName}", failed.Message);
        Assert.Contains("unreachable", failed.Message);
    }

    [Fact]
    public async Task Cancellation_StopsWatching_ThePodKeepsBuildingForOthers()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        using var cts = new CancellationTokenSource();
        var run = BuildRun.Start(rig.Builder(), request, cts.Token);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        rig.Api.Run(request.BuildName);
        rig.Api.AppendLog(request.BuildName, KubeRig.Line("building", "working"));
        await run.WaitForAsync(e => e.Count == 1, Wait);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion.WaitAsync(Wait));
        Assert.NotNull(rig.Api.Pod(request.BuildName));
        Assert.Empty(rig.Api.Deletions);
    }

    [Fact]
    public async Task RepoUrlStartingWithDash_IsRefused_WithoutCreatingAPod()
    {
        await using var rig = await KubeRig.StartAsync();
        var events = await BuildRun.Start(rig.Builder(), KubeRig.Request(repoUrl: "--help")).FinishAsync(Wait);
        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(400, failed.StatusCode);
        Assert.Equal(0, rig.Api.Creates);
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Poll.UntilAsync(condition, what, Wait);
}
