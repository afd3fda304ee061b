using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Xunit.Abstractions;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>
/// The service deployed from <c>k8s/</c> on the real node (two replicas, one Orleans cluster), driven as a client
/// behind a Service would drive it: builds through a replica, a replica's pod deleted mid-build, a rolling restart
/// while a client streams. The test plays the Service (no kube-proxy): it picks a Ready pod, and on a dropped stream
/// reconnects to a Ready pod with <c>Last-Event-ID</c>, as an EventSource does.
/// </summary>
[Collection(KubeNodeCollection.Name)]
public sealed partial class BinderOnNodeTests(KubeNodeFixture fixture, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(5);
    private readonly List<GitRepo> _repos = [];

    public void Dispose()
    {
        foreach (var repo in _repos) repo.Dispose();
    }

    [Fact]
    public async Task Apply_TwoReplicasBecomeReady_AndEachReportsTwoActiveSilos()
    {
        var binder = await fixture.GetBinderAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var replicas = await binder.WaitForReplicasAsync(2, cts.Token);

        output.WriteLine($"kubectl apply -k → two Ready silos: {binder.ApplyToReady.TotalSeconds:F1} s");
        Assert.Equal(2, replicas.Select(r => r.HttpPort).Distinct().Count());
        foreach (var replica in replicas) Assert.Equal(2, await BinderDeployment.ActiveSilosAsync(replica, cts.Token));
        // The shipped manifests all went in: the 1.20 overlay's PodDisruptionBudget among them.
        var pdb = await BinderDeployment.KubectlOkAsync(fixture.Node, "-n", BinderDeployment.Namespace, "get", "pdb", "binder", "-o", "jsonpath={.spec.maxUnavailable}");
        Assert.Equal("1", pdb.Trim());
    }

    [Fact]
    public async Task Build_ThroughAReplica_ReachesReady_WithAWorkingServer()
    {
        var binder = await fixture.GetBinderAsync();
        using var cts = new CancellationTokenSource(StreamTimeout);
        var replicas = await binder.WaitForReplicasAsync(2, cts.Token);
        var path = Serve(GitRepo.Ticking(2), "small");

        var clock = Stopwatch.StartNew();
        var stream = await FollowAsync(binder, replicas[0], path, _ => Task.CompletedTask, cts.Token);
        var build = clock.Elapsed;
        await AssertReadyWithWorkingServerAsync(stream.Messages, cts.Token);
        Assert.Single(stream.Messages, m => FirstTick().IsMatch(m.Event.Message ?? ""));

        // The other replica finds the image the first one built and launches it.
        clock.Restart();
        var again = await FollowAsync(binder, replicas[1], path, _ => Task.CompletedTask, cts.Token);
        var launch = clock.Elapsed;
        await AssertReadyWithWorkingServerAsync(again.Messages, cts.Token);
        Assert.DoesNotContain(again.Messages, m => FirstTick().IsMatch(m.Event.Message ?? ""));

        // The same on the Docker backend (one server process on the machine's engine), for the timings' comparison.
        var (dockerBuild, dockerLaunch) = await TimeOnDockerBackendAsync(path, cts.Token);
        output.WriteLine($"small build and launch: node {build.TotalSeconds:F1} s, Docker backend {dockerBuild.TotalSeconds:F1} s");
        output.WriteLine($"cached launch: node {launch.TotalSeconds:F1} s, Docker backend {dockerLaunch.TotalSeconds:F1} s");
    }

    private static async Task<(TimeSpan Build, TimeSpan Launch)> TimeOnDockerBackendAsync(string path, CancellationToken cancellationToken)
    {
        await using var sandbox = new DockerSandbox();
        var settings = sandbox.Settings();
        settings["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8";
        settings["Security:RateLimit"] = "0";
        settings["Binder:ReadyHoldOpen"] = "00:00:00";
        await using var server = await ServerProcess.StartAsync(settings).WaitAsync(cancellationToken);
        var replica = new Replica("docker-backend", server.Client.BaseAddress!.Port);
        var clock = Stopwatch.StartNew();
        var first = await ReadToEndAsync(replica, path, cancellationToken);
        var build = clock.Elapsed;
        Assert.True(first[^1].Event.Phase == BinderPhase.Ready, first[^1].Event.Message);
        clock.Restart();
        var second = await ReadToEndAsync(replica, path, cancellationToken);
        var launch = clock.Elapsed;
        Assert.True(second[^1].Event.Phase == BinderPhase.Ready, second[^1].Event.Message);
        return (build, launch);
    }

    private static async Task<List<SseMessage>> ReadToEndAsync(Replica replica, string path, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = replica.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await SseClient.OpenAsync(client, path, cancellationToken: cancellationToken);
        var messages = new List<SseMessage>();
        await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken))
        {
            messages.Add(m);
            if (m.Event.IsTerminal) break;
        }
        Assert.NotEmpty(messages);
        return messages;
    }

    [Fact]
    public async Task PodDeletedMidBuild_ClientResumesOnTheOtherReplica_AndTheReplacementRejoins()
    {
        var binder = await fixture.GetBinderAsync();
        using var cts = new CancellationTokenSource(StreamTimeout);
        var replicas = await binder.WaitForReplicasAsync(2, cts.Token);
        var path = Serve(GitRepo.Ticking(8), "deleted-mid-build");
        var doomed = replicas[0];
        // Lost abruptly (2 s of grace, as when a node fails or the kernel kills it): the stream breaks mid-build. The
        // graceful path is the rolling restart's below.

        var deleted = false;
        var stream = await FollowAsync(binder, doomed, path, async m =>
        {
            if (!deleted && m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true)
            {
                deleted = true;
                await BinderDeployment.KubectlOkAsync(fixture.Node, "-n", BinderDeployment.Namespace, "delete", "pod", doomed.Pod, "--grace-period=2", "--wait=false");
            }
        }, cts.Token);

        output.WriteLine($"pod deleted: the client reconnected {stream.Reconnects} times ({string.Join(" → ", stream.Replicas)})");
        Assert.True(deleted, Describe(stream));
        Assert.True(stream.Reconnects >= 1 && stream.Replicas[^1] != doomed.Pod, Describe(stream));
        await AssertReadyWithWorkingServerAsync(stream.Messages, cts.Token);
        // The build was driven by the lost replica's process, so the survivor may build again (the session says so);
        // no event is lost or repeated on the way.
        AssertNoEventLost(stream);
        // The Deployment's replacement joins the cluster: two Ready replicas again, each counting two silos.
        var after = await binder.WaitForReplicasAsync(2, cts.Token);
        Assert.DoesNotContain(after, r => r.Pod == doomed.Pod);
    }

    [Fact]
    public async Task RolloutRestart_WhileAClientStreams_EndsReady_WithNoFailedEvent_AndOneBuild()
    {
        var binder = await fixture.GetBinderAsync();
        using var cts = new CancellationTokenSource(StreamTimeout);
        var replicas = await binder.WaitForReplicasAsync(2, cts.Token);
        // Long enough that both old replicas are replaced while it builds (each new pod is Ready in about 10 s).
        var path = Serve(GitRepo.Ticking(40), "rolling-restart");

        var restarted = false;
        var streamingReplicaReplaced = false;
        var stream = await FollowAsync(binder, replicas[0], path, async m =>
        {
            if (!restarted && m.Event.Message?.Contains("tick 1", StringComparison.Ordinal) == true)
            {
                restarted = true;
                await BinderDeployment.KubectlOkAsync(fixture.Node, "-n", BinderDeployment.Namespace, "rollout", "restart", "deployment/binder");
            }
            if (m.Event.IsTerminal) streamingReplicaReplaced = await binder.IsGoneOrTerminatingAsync(replicas[0].Pod, cts.Token);
        }, cts.Token);

        output.WriteLine($"rolling restart: the client reconnected {stream.Reconnects} times; events: {stream.Messages.Count}");
        Assert.True(restarted, Describe(stream));
        Assert.True(streamingReplicaReplaced, "the build ended before the rollout reached the replica streaming it: " + Describe(stream));
        Assert.DoesNotContain(stream.Messages, m => m.Event.Phase == BinderPhase.Failed);
        await AssertReadyWithWorkingServerAsync(stream.Messages, cts.Token);
        AssertOneUnbrokenBuild(stream);
        await BinderDeployment.KubectlOkAsync(fixture.Node, "-n", BinderDeployment.Namespace, "rollout", "status", "deployment/binder", "--timeout=180s");
        var after = await binder.WaitForReplicasAsync(2, cts.Token);
        Assert.DoesNotContain(after, r => replicas.Any(old => old.Pod == r.Pod));
    }

    private string Serve(GitRepo repo, string name)
    {
        _repos.Add(repo);
        var url = fixture.Git.Serve(repo, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        return $"build/git/{Uri.EscapeDataString(url)}/{repo.Head}";
    }

    private sealed record FollowedStream(List<SseMessage> Messages, int Reconnects, List<string> Replicas);

    /// <summary>
    /// Reads <c>/build</c> from <paramref name="first"/> until a terminal event; when the stream drops before one, waits
    /// for a Ready replica (another one if there is) and resumes there after the last event id, as an EventSource does.
    /// </summary>
    private static async Task<FollowedStream> FollowAsync(BinderDeployment binder, Replica first, string path, Func<SseMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        var messages = new List<SseMessage>();
        var visited = new List<string>();
        var replica = first;
        for (var attempt = 0; attempt < 30; attempt++)
        {
            visited.Add(replica.Pod);
            try
            {
                using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = replica.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
                using var response = await SseClient.OpenAsync(client, path, lastEventId: messages.LastOrDefault()?.Id, cancellationToken: cancellationToken);
                await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken))
                {
                    messages.Add(m);
                    await onMessage(m);
                    if (m.Event.IsTerminal) return new FollowedStream(messages, attempt, visited);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                // The replica went away under the stream: reconnect below.
            }
            await Task.Delay(500, cancellationToken);
            var lost = replica.Pod;
            var ready = await binder.ReadyReplicasAsync(cancellationToken);
            for (var wait = 0; ready.Count == 0; wait++)
            {
                if (wait == 240) throw new TimeoutException("no Ready replica to reconnect to for 2 minutes: " + await binder.DescribeAsync(cancellationToken));
                await Task.Delay(500, cancellationToken);
                ready = await binder.ReadyReplicasAsync(cancellationToken);
            }
            replica = ready.FirstOrDefault(r => r.Pod != lost) ?? ready[0];
        }
        throw new InvalidOperationException("no terminal event after 30 connections: " + string.Join("", messages.Select(m => $"[{m.Event.Phase}] {m.Event.Message}")));
    }

    private static async Task AssertReadyWithWorkingServerAsync(List<SseMessage> messages, CancellationToken cancellationToken)
    {
        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, string.Join("", messages.Select(m => $"[{m.Event.Phase}] {m.Event.Message}")));
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var status = await http.GetAsync(new Uri(new Uri(ready.Url!), $"api/status?token={ready.Token}"), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
    }

    /// <summary>Event ids of one session, contiguous from 0 (nothing lost or repeated), and the build's log once.</summary>
    private static void AssertOneUnbrokenBuild(FollowedStream stream)
    {
        AssertNoEventLost(stream);
        var builds = stream.Messages.Count(m => FirstTick().IsMatch(m.Event.Message ?? ""));
        Assert.True(builds == 1, $"the build ran {builds} times: " + Describe(stream));
    }

    /// <summary>Event ids of one session, contiguous from 0: across reconnects nothing was lost or repeated.</summary>
    private static void AssertNoEventLost(FollowedStream stream)
    {
        var ids = stream.Messages.Select(m => m.Id!).ToList();
        var session = ids[0].Split(':')[0];
        Assert.All(ids, id => Assert.StartsWith(session + ":", id));
        Assert.Equal(Enumerable.Range(0, ids.Count), ids.Select(id => int.Parse(id.Split(':')[1], CultureInfo.InvariantCulture)));
    }

    [GeneratedRegex(@"\btick 1(?!\d)")]
    private static partial Regex FirstTick();

    private static string Describe(FollowedStream stream) =>
        $"replicas {string.Join(" → ", stream.Replicas)}: " + string.Join("", stream.Messages.Select(m => $"{m.Id} [{m.Event.Phase}] {m.Event.Message}"));
}
