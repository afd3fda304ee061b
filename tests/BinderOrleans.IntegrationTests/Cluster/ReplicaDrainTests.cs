using System.Globalization;
using System.Net;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Cluster;

/// <summary>
/// A rolling update on two real replicas sharing a real Redis, on the real Docker backend: SIGTERM one mid-build. It
/// fails readiness at once, finishes the build it runs (or hands it over at its drain deadline), stops gracefully, and
/// its client ends in <c>ready</c> with no <c>failed</c> event, resuming on the survivor by Last-Event-ID if it has to.
/// </summary>
public sealed class ReplicaDrainTests(ReplicaClusterFixture fixture) : IClassFixture<ReplicaClusterFixture>
{
    private static readonly TimeSpan ExitBound = TimeSpan.FromMinutes(2);
    [Fact]
    public async Task ReplicaTerminatedMidBuild_FailsReadinessAtOnce_FinishesTheBuild_AndStopsGracefully()
    {
        var replicas = await fixture.StartReplicasAsync();
        await using var stopping = replicas[0];
        await using var survivor = replicas[1];
        var repo = fixture.SlowRepo(10);

        using var cts = new CancellationTokenSource(ReplicaClusterFixture.StreamTimeout);
        using var response = await SseClient.OpenAsync(stopping.Client, repo.BuildPath, cancellationToken: cts.Token);
        var messages = new List<SseMessage>();
        await using var stream = SseClient.ReadAsync(response, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        while (await stream.MoveNextAsync())
        {
            messages.Add(stream.Current);
            if (stream.Current.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true) break;
        }

        stopping.Terminate();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await WaitForStatusAsync(stopping, "health/ready", HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await stopping.Client.GetAsync("health/silo", cts.Token)).StatusCode);
        // A new session at the draining replica is refused before streaming, so a load balancer can go elsewhere.
        using (var refused = await SseClient.OpenAsync(stopping.Client, fixture.SlowRepo(1).BuildPath, cancellationToken: cts.Token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        // The watcher keeps streaming from the draining replica to the end.
        while (await stream.MoveNextAsync())
        {
            messages.Add(stream.Current);
            if (stream.Current.Event.IsTerminal) break;
        }
        var exit = await stopping.WaitForExitAsync(ExitBound);

        var log = string.Join("", messages.Select(m => $"[{m.Event.Phase}] {m.Event.Message}"));
        Assert.True(messages[^1].Event.Phase == BinderPhase.Ready, log + "\n" + stopping.Output[^Math.Min(4000, stopping.Output.Length)..]);
        Assert.DoesNotContain(messages, m => m.Event.Phase == BinderPhase.Failed);
        Assert.Contains(messages, m => m.Event.Message?.Contains("tick 10", StringComparison.Ordinal) == true);
        Assert.Equal(1, ReplicaClusterFixture.CountBuilds(replicas, repo.Url));
        Assert.Equal(0, exit);
        AssertStoppedGracefully(stopping);
    }

    [Fact]
    public async Task ReplicaTerminatedMidBuild_PastItsDrainDeadline_HandsItOver_AndTheClientResumesToReady()
    {
        var replicas = await fixture.StartReplicasAsync(extra: new Dictionary<string, string?> { ["Binder:DrainTimeout"] = "00:00:02" });
        await using var stopping = replicas[0];
        await using var survivor = replicas[1];
        var repo = fixture.SlowRepo(12);

        using var cts = new CancellationTokenSource(ReplicaClusterFixture.StreamTimeout);
        var first = new List<SseMessage>();
        using (var response = await SseClient.OpenAsync(stopping.Client, repo.BuildPath, cancellationToken: cts.Token))
        {
            var terminated = false;
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token))
            {
                first.Add(m);
                if (!terminated && m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true)
                {
                    stopping.Terminate();
                    terminated = true;
                }
            }
            // The drain deadline closed the stream without an end event: the client reconnects with its last id.
        }
        Assert.DoesNotContain(first, m => m.Event.IsTerminal);

        var rest = new List<SseMessage>();
        using (var response = await SseClient.OpenAsync(survivor.Client, repo.BuildPath, lastEventId: first[^1].Id, cancellationToken: cts.Token))
        {
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token))
            {
                rest.Add(m);
                if (m.Event.IsTerminal) break;
            }
        }
        var exit = await stopping.WaitForExitAsync(ExitBound);

        var log = string.Join("", first.Concat(rest).Select(m => $"[{m.Event.Phase}] {m.Event.Message}"));
        Assert.True(rest[^1].Event.Phase == BinderPhase.Ready, log + "\n" + survivor.Output[^Math.Min(4000, survivor.Output.Length)..]);
        Assert.DoesNotContain(first.Concat(rest), m => m.Event.Phase == BinderPhase.Failed);
        var ids = first.Concat(rest).Select(m => int.Parse(m.Id!.Split(':')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, ids.Count), ids);
        Assert.Equal(0, exit);
        AssertStoppedGracefully(stopping);
    }

    private static void AssertStoppedGracefully(ServerProcess replica)
    {
        Assert.DoesNotContain("non-graceful", replica.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("failed to deactivate promptly", replica.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Lifecycle stop operations canceled", replica.Output, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="wanted"/>, for at most 3 s (readiness fails at once).</summary>
    private static async Task<HttpStatusCode> WaitForStatusAsync(ServerProcess replica, string path, HttpStatusCode wanted)
    {
        var last = HttpStatusCode.OK;
        for (var i = 0; i < 30; i++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await replica.Client.GetAsync(path, timeout.Token);
            last = response.StatusCode;
            if (last == wanted) return last;
            await Task.Delay(100);
        }
        return last;
    }
}
