using System.Diagnostics;
using System.Globalization;
using System.Net;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Xunit.Abstractions;

namespace BinderOrleans.IntegrationTests.Cluster;

/// <summary>
/// A rolling restart of two real replicas (a new one joins, an old one gets SIGTERM, twice) while 20 clients stream
/// builds and launches of four repositories on the real Docker backend. Every client ends in <c>ready</c> with every
/// event once and no <c>failed</c>; each image is built once; the old replicas stop gracefully. Prints what it measured.
/// </summary>
public sealed class RollingRestartTests(ReplicaClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ReplicaClusterFixture>
{
    private const int Clients = 20;
    private const int Repos = 4;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan ExitBound = TimeSpan.FromMinutes(4);
    private readonly object _gate = new();
    private List<ServerProcess> _serving = [];

    private sealed record ClientResult(int Client, List<SseMessage> Messages, TimeSpan Waited, int Reconnects, string? Error);

    [Fact]
    public async Task RollingRestart_WhileClientsStreamBuildsAndLaunches_LosesNothing()
    {
        // A drain long enough for the work a loaded machine has running (launches of 20 servers on 2 cores): the case
        // where a drained replica finishes everything, so nothing is built or launched twice.
        var settings = fixture.ClusterSettings(new Dictionary<string, string?> { ["Binder:DrainTimeout"] = DrainTimeout.ToString() });
        await using var a = await ServerProcess.StartAsync(settings);
        await using var b = await ServerProcess.StartAsync(settings);
        lock (_gate) _serving = [a, b];
        var repos = Enumerable.Range(0, Repos).Select(_ => fixture.SlowRepo(15)).ToList();

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var clients = Enumerable.Range(0, Clients).Select(i => RunClientAsync(i, repos[i % Repos].BuildPath, i % 2 == 0 ? a : b, cts.Token)).ToArray();

        // The rollout: a new replica joins, then an old one is terminated (readiness fails at once, so traffic leaves
        // it), and it is waited for; twice (maxSurge 1, maxUnavailable 0).
        await Task.Delay(TimeSpan.FromSeconds(6), cts.Token);
        var replaced = new List<(ServerProcess Old, ServerProcess New, int Exit, TimeSpan Stop)>();
        await using var c = await ServerProcess.StartAsync(settings);
        replaced.Add(await ReplaceAsync(a, c));
        await using var d = await ServerProcess.StartAsync(settings);
        replaced.Add(await ReplaceAsync(b, d));

        var results = await Task.WhenAll(clients);
        var all = new[] { a, b, c, d };

        var lostEvents = results.Sum(r => LostEvents(r.Messages));
        var failed = results.Count(r => r.Error is not null || r.Messages.Count == 0 || r.Messages[^1].Event.Phase != BinderPhase.Ready
            || r.Messages.Any(m => m.Event.Phase == BinderPhase.Failed));
        var buildsStarted = repos.Select(r => ReplicaClusterFixture.CountBuilds(all, r.Url)).ToList();
        var restarted = results.Count(r => r.Messages.Any(m => m.Event.Message?.Contains("started again", StringComparison.Ordinal) == true));
        var waits = results.Select(r => r.Waited.TotalSeconds).Order().ToList();
        output.WriteLine($"clients {Clients}, repositories {Repos} (15 s builds), replicas replaced {replaced.Count}, drain timeout {DrainTimeout}");
        foreach (var (old, _, exit, stop) in replaced) output.WriteLine($"replica {old.Pid}: exit {exit} after {stop.TotalSeconds:F1} s of SIGTERM, graceful {Graceful(old)}");
        output.WriteLine($"events lost {lostEvents}; sessions failed {failed}; sessions restarted {restarted}; builds started per repository [{string.Join(", ", buildsStarted)}]");
        output.WriteLine($"reconnects {results.Sum(r => r.Reconnects)}; wait s: min {waits[0]:F1}, median {waits[waits.Count / 2]:F1}, max {waits[^1]:F1}");
        foreach (var r in results) output.WriteLine($"client {r.Client}: {r.Waited.TotalSeconds:F1} s, {r.Messages.Count} events, {r.Reconnects} reconnects, last {r.Messages.LastOrDefault()?.Event.Phase} {r.Messages.LastOrDefault()?.Event.Message?.Trim()} {r.Error}");

        Assert.Equal(0, lostEvents);
        Assert.Equal(0, failed);
        Assert.All(buildsStarted, n => Assert.Equal(1, n));
        Assert.All(replaced, r => Assert.Equal(0, r.Exit));
        Assert.All(replaced, r => Assert.True(Graceful(r.Old), r.Old.Output[^Math.Min(3000, r.Old.Output.Length)..]));
    }

    private async Task<(ServerProcess Old, ServerProcess New, int Exit, TimeSpan Stop)> ReplaceAsync(ServerProcess old, ServerProcess replacement)
    {
        lock (_gate) _serving = [.. _serving.Where(s => s != old), replacement];
        var stopwatch = Stopwatch.StartNew();
        old.Terminate();
        var exit = await old.WaitForExitAsync(ExitBound);
        return (old, replacement, exit, stopwatch.Elapsed);
    }

    private ServerProcess Pick(int client)
    {
        lock (_gate) return _serving[client % _serving.Count];
    }

    /// <summary>An EventSource: reads to the end, and on a drop reconnects (to a replica in service) with its last id.</summary>
    private async Task<ClientResult> RunClientAsync(int client, string path, ServerProcess first, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var messages = new List<SseMessage>();
        var reconnects = -1;
        string? lastId = null;
        string? error = null;
        var replica = first;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            reconnects++;
            try
            {
                using var response = await SseClient.OpenAsync(replica.Client, path, lastEventId: lastId, cancellationToken: cancellationToken);
                if (response.StatusCode == HttpStatusCode.NoContent) break;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken))
                    {
                        messages.Add(m);
                        lastId = m.Id ?? lastId;
                        if (m.Event.IsTerminal) return new ClientResult(client, messages, stopwatch.Elapsed, reconnects, null);
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
            {
                error = ex.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            replica = Pick(client + attempt);
        }
        return new ClientResult(client, messages, stopwatch.Elapsed, reconnects, error ?? "no terminal event");
    }

    /// <summary>Ids are <c>{session}:{n}</c> from 0 on: any number missing is an event lost.</summary>
    private static int LostEvents(List<SseMessage> messages)
    {
        var indexes = messages.Where(m => m.Id is not null).Select(m => int.Parse(m.Id!.Split(':')[1], CultureInfo.InvariantCulture)).ToList();
        if (indexes.Count == 0) return 0;
        return indexes.Max() + 1 - indexes.Distinct().Count();
    }

    private static bool Graceful(ServerProcess replica) =>
        !replica.Output.Contains("non-graceful", StringComparison.OrdinalIgnoreCase)
        && !replica.Output.Contains("failed to deactivate promptly", StringComparison.OrdinalIgnoreCase)
        && !replica.Output.Contains("Lifecycle stop operations canceled", StringComparison.OrdinalIgnoreCase);

}
