using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace BinderOrleans.IntegrationTests.Cluster;

/// <summary>
/// The membership store restarts under live replicas, empty (a redis-server that keeps nothing on disk, the worst case):
/// the replicas put the table back, builds still run across them, a new replica joins, and a killed one is voted out.
/// </summary>
public sealed class RedisRestartTests(ReplicaClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ReplicaClusterFixture>
{
    private static readonly TimeSpan MembershipWait = TimeSpan.FromMinutes(2);
    [Fact]
    public async Task RedisRestartedEmpty_UnderTwoReplicas_TableIsRestored_BuildsRun_AThirdJoins_AndAKilledOneIsVotedOut()
    {
        var settings = fixture.ClusterSettings();
        var clusterId = settings["Orleans:ClusterId"]!;
        await using var a = await ServerProcess.StartAsync(settings);
        await using var b = await ServerProcess.StartAsync(settings);
        await WaitForActiveSilosAsync([a, b], 2);

        var restart = Stopwatch.StartNew();
        await fixture.Redis.RestartAsync();

        // Nobody new has come: the two replicas write the table back on their own once Redis answers again.
        var rows = await WaitForAsync(async () =>
        {
            var r = await MembershipRowsAsync(clusterId);
            return r.Count == 2 ? r : null;
        }, MembershipWait, "the replicas to restore their rows", a, b);
        var restored = restart.Elapsed;
        // They found it gone (not merely kept): a replica wrote the rows back.
        Assert.Contains("Restored the membership row of", a.Output + b.Output, StringComparison.Ordinal);

        await using var c = await ServerProcess.StartAsync(settings);
        await WaitForActiveSilosAsync([a, b, c], 3);
        var joined = restart.Elapsed;

        // Builds still run as one cluster: the same image asked of an old and the new replica at once is built once.
        var repo = fixture.SlowRepo(2);
        var streams = await Task.WhenAll(
            SseClient.ReadBuildAsync(a.Client, repo.BuildPath, ReplicaClusterFixture.StreamTimeout),
            SseClient.ReadBuildAsync(c.Client, repo.BuildPath, ReplicaClusterFixture.StreamTimeout));
        Assert.All(streams, s => Assert.True(s[^1].Event.Phase == BinderPhase.Ready, s[^1].Event.Message));
        Assert.Equal(1, new[] { a, b, c }.Sum(r => r.Output.Split('\n').Count(l => l.Contains("Building ", StringComparison.Ordinal) && l.Contains(repo.Url, StringComparison.Ordinal))));

        var kill = Stopwatch.StartNew();
        b.Kill();
        await WaitForActiveSilosAsync([a, c], 2);
        var votedOut = kill.Elapsed;

        Assert.DoesNotContain("I have been told I am dead", a.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("I have been told I am dead", c.Output, StringComparison.Ordinal);
        output.WriteLine($"Table restored by the two replicas {restored.TotalSeconds:F1} s after the Redis restart ({rows.Count} rows); third replica active on all three {joined.TotalSeconds:F1} s after it; killed replica voted out in {votedOut.TotalSeconds:F1} s.");
    }

    /// <summary>The silo rows of the cluster's membership table, as Orleans' Redis clustering stores them (JSON).</summary>
    private async Task<List<string>> MembershipRowsAsync(string clusterId)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString).WaitAsync(TimeSpan.FromSeconds(10));
        var all = await redis.GetDatabase().HashGetAllAsync($"binderorleans/members/{clusterId}").WaitAsync(TimeSpan.FromSeconds(10));
        return [.. all.Where(e => e.Name != "Version").Select(e => e.Value.ToString())];
    }

    private async Task WaitForActiveSilosAsync(ServerProcess[] replicas, int count)
    {
        await WaitForAsync(async () =>
        {
            foreach (var replica in replicas)
            {
                if (await ActiveSilosAsync(replica) != count) return null;
            }
            return "";
        }, MembershipWait, $"every replica to report {count} active silos", replicas);
    }

    private static async Task<int?> ActiveSilosAsync(ServerProcess replica)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var health = await replica.Client.GetFromJsonAsync<JsonElement>("health/silo", cts.Token);
            return health.GetProperty("active_silos").GetInt32();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, params ServerProcess[] replicas) where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await probe() is { } result) return result;
            await Task.Delay(250);
        }
        var logs = string.Join("\n----\n", replicas.Select(r => r.Output[^Math.Min(6000, r.Output.Length)..]));
        throw new TimeoutException($"Waited {timeout} for {what}.\n{logs}");
    }
}
