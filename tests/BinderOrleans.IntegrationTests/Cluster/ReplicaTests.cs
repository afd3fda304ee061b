using System.Net;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Cluster;

/// <summary>
/// Two real replicas sharing a real Redis: one build per image across them, sessions that follow a client from one
/// replica to the other, and a survivor that finishes what a SIGKILLed replica had started.
/// </summary>
public sealed class ReplicaTests(ReplicaClusterFixture fixture) : IClassFixture<ReplicaClusterFixture>
{
    [Fact]
    public async Task ConcurrentBuildsOnBothReplicas_OfOneRepo_BuildOnce()
    {
        var replicas = await fixture.StartReplicasAsync();
        await using var a = replicas[0];
        await using var b = replicas[1];
        var repo = fixture.SlowRepo(3);

        var streams = await Task.WhenAll(
            SseClient.ReadBuildAsync(a.Client, repo.BuildPath, ReplicaClusterFixture.StreamTimeout),
            SseClient.ReadBuildAsync(b.Client, repo.BuildPath, ReplicaClusterFixture.StreamTimeout));

        Assert.All(streams, s => Assert.True(s[^1].Event.Phase == BinderPhase.Ready, s[^1].Event.Message));
        Assert.All(streams, s => Assert.Contains(s, m => m.Event.Message?.Contains("tick 3", StringComparison.Ordinal) == true));
        Assert.Equal(1, ReplicaClusterFixture.CountBuilds(replicas, repo.Url));
    }

    [Fact]
    public async Task ClientMovingToTheOtherReplica_MidBuild_KeepsItsSession_AndGetsOneServer()
    {
        var replicas = await fixture.StartReplicasAsync();
        await using var a = replicas[0];
        await using var b = replicas[1];
        var repo = fixture.SlowRepo(6);
        var before = await fixture.LaunchedContainersAsync();

        var first = await ReadUntilAsync(a, repo.BuildPath, null, m => m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true);
        var rest = await ReadUntilAsync(b, repo.BuildPath, first[^1].Id, m => m.Event.IsTerminal);

        Assert.Equal(BinderPhase.Ready, rest[^1].Event.Phase);
        var ids = first.Concat(rest).Select(m => m.Id!).ToList();
        var session = ids[0].Split(':')[0];
        Assert.All(ids, id => Assert.StartsWith(session + ":", id));
        Assert.Equal(Enumerable.Range(0, ids.Count), ids.Select(id => int.Parse(id.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Single((await fixture.LaunchedContainersAsync()).Except(before));
        Assert.Equal(1, ReplicaClusterFixture.CountBuilds(replicas, repo.Url));
    }

    [Fact]
    public async Task ServerLaunchedThroughOneReplica_IsReachedThroughTheOthersPortToo()
    {
        // Replicas sharing one engine: the proxy is asked for by name (with Redis it is off unless set).
        var replicas = await fixture.StartReplicasAsync(extra: new Dictionary<string, string?> { ["Docker:Proxy"] = "true" });
        await using var a = replicas[0];
        await using var b = replicas[1];
        var repo = fixture.SlowRepo(1);

        var messages = await SseClient.ReadBuildAsync(a.Client, repo.BuildPath, ReplicaClusterFixture.StreamTimeout);

        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, ready.Message);
        var url = new Uri(ready.Url!);
        Assert.Equal(a.Client.BaseAddress!.Port, url.Port);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var throughB = await http.GetAsync(new Uri(b.Client.BaseAddress!, $"{url.AbsolutePath.TrimStart('/')}api/status?token={ready.Token}"));
        Assert.Equal(HttpStatusCode.OK, throughB.StatusCode);
        using var anonymous = await http.GetAsync(new Uri(b.Client.BaseAddress!, $"{url.AbsolutePath.TrimStart('/')}api/status"));
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
    }

    [Fact]
    public async Task ServerStartedByA_IsForwardedToA_ByAReplicaThatCannotReachItsContainer_PageAndKernelWebSocket()
    {
        // B carries a label A's servers lack, so B's own lookup in the engine refuses them, as a replica on another
        // engine would not find them: only forwarding to A (which the cluster names as the server's home) reaches it.
        var proxy = new Dictionary<string, string?> { ["Docker:Proxy"] = "true" };
        var settings = fixture.ClusterSettings(proxy);
        await using var a = await ServerProcess.StartAsync(settings);
        await using var b = await ServerProcess.StartAsync(new Dictionary<string, string?>(settings) { ["Docker:Labels:binderorleans.test-replica"] = "b" });
        var repo = fixture.SlowRepo(1);

        var messages = await SseClient.ReadBuildAsync(a.Client, repo.BuildPath, ReplicaClusterFixture.StreamTimeout);

        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, ready.Message);
        var path = new Uri(ready.Url!).AbsolutePath;
        var throughB = new Uri(b.BaseUri, path);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using (var status = await http.GetAsync($"{throughB}api/status?token={ready.Token}"))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            Assert.StartsWith("TornadoServer/", status.Headers.Server.ToString());
        }
        using (var tree = await http.GetAsync($"{throughB}tree?token={ready.Token}"))
        {
            Assert.Equal(HttpStatusCode.OK, tree.StatusCode);
            Assert.Contains("<html", await tree.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        using (var anonymous = await http.GetAsync($"{throughB}api/status"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        }
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            var printed = await JupyterKernelClient.RunAsync(http, throughB, ready.Token!, b.BaseUri.GetLeftPart(UriPartial.Authority), "print(6 * 7)", timeout.Token);
            Assert.Equal("42\n", printed);
        }
        // B alone (a request marked as forwarded already, so B asks no peer) does not reach it: the answers above came through A.
        using (var alone = new HttpRequestMessage(HttpMethod.Get, $"{throughB}api/status?token={ready.Token}"))
        {
            alone.Headers.Add("X-BinderOrleans-Peer", "1");
            using var refused = await http.SendAsync(alone);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }
        // A name no replica serves: 404 from B, with nothing forwarded.
        using (var never = await http.GetAsync(new Uri(b.BaseUri, "user/binder-000000000000/api/status")))
        {
            Assert.Equal(HttpStatusCode.NotFound, never.StatusCode);
        }
    }

    [Fact]
    public async Task ReplicaKilledMidBuild_ClientReconnectsToTheSurvivor_AndGetsAWorkingServer()
    {
        var replicas = await fixture.StartReplicasAsync();
        await using var doomed = replicas[0];
        await using var survivor = replicas[1];
        var repo = fixture.SlowRepo(8);

        var first = await ReadUntilAsync(doomed, repo.BuildPath, null, m => m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true);
        doomed.Kill();
        var rest = await ReadUntilAsync(survivor, repo.BuildPath, first[^1].Id, m => m.Event.IsTerminal);

        var ready = rest[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, string.Join("", rest.Select(m => $"[{m.Event.Phase}] {m.Event.Message}")) + "\n" + survivor.Output[^Math.Min(4000, survivor.Output.Length)..]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var status = await http.GetAsync(new Uri(new Uri(ready.Url!), $"api/status?token={ready.Token}"));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var firstIndexAfter = int.Parse(rest[0].Id!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(int.Parse(first[^1].Id!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) + 1, firstIndexAfter);
    }

    /// <summary>Opens <c>/build</c> (resuming after <paramref name="lastEventId"/>) and reads until <paramref name="stop"/> holds.</summary>
    private static async Task<List<SseMessage>> ReadUntilAsync(ServerProcess replica, string path, string? lastEventId, Func<SseMessage, bool> stop)
    {
        using var cts = new CancellationTokenSource(ReplicaClusterFixture.StreamTimeout);
        using var response = await SseClient.OpenAsync(replica.Client, path, lastEventId: lastEventId, cancellationToken: cts.Token);
        var messages = new List<SseMessage>();
        await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token))
        {
            messages.Add(m);
            if (stop(m)) break;
        }
        Assert.NotEmpty(messages);
        return messages;
    }
}
