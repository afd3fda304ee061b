using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Tests.Grains;

/// <summary>
/// One build stream per silo: the sessions of a silo share its one feed of a build (one batched watch of the build
/// grain), record the build as a stretch instead of copying its lines, and their clients read the lines from the feed.
/// </summary>
public sealed class BuildFeedsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly LaunchSpec Spec = new("fake", "owner/repo/HEAD", "127.0.0.1", "http://127.0.0.1:8585/");

    [Fact]
    public async Task ManySessionsOfOneBuild_OnTwoSilos_ShareOneFeedPerSilo_AndEachGetsEveryLineInOrder()
    {
        const int Lines = 200;
        await using var rig = await GrainRig.StartAsync(silos: 2);
        rig.Builder.Gate = new TaskCompletionSource();
        rig.Builder.Script = _ => Enumerable.Range(1, Lines).Select(i => BinderEvent.Of(BinderPhase.Building, $"line {i}"));
        var sessions = Enumerable.Range(0, 20).Select(i => Collect(rig.Sessions(i % 2), rig.Sessions(i % 2).NewKey())).ToList();

        // Every session follows the build before it prints: one feed on each silo.
        await Poll.UntilAsync(() => Feeds(rig, 0).Count == 1 && Feeds(rig, 1).Count == 1, "a feed on each silo", Bound);
        rig.Builder.Gate.SetResult();
        var results = await Task.WhenAll(sessions).WaitAsync(Bound);

        Assert.Equal(1, rig.Builder.Calls);
        foreach (var entries in results)
        {
            Assert.Equal(Enumerable.Range(0, entries.Count), entries.Select(e => e.Index));
            var lines = entries.Where(e => e.Event.Phase == BinderPhase.Building).Select(e => e.Event.Message).ToList();
            Assert.Equal(Enumerable.Range(1, Lines).Select(i => $"line {i}\n"), lines);
            Assert.Equal(BinderPhase.Ready, entries[^1].Event.Phase);
        }
        // Up to the launch (each session's own server), every session said the same.
        Assert.Single(results.Select(r => string.Join('|', r.TakeWhile(e => e.Event.Phase != BinderPhase.Launching).Select(e => BinderEventJson.Serialize(e.Event)))).Distinct());
        // The build ended: its feeds close (the sessions keep the log they recorded).
        await Poll.UntilAsync(() => Feeds(rig, 0).Count == 0 && Feeds(rig, 1).Count == 0, "the feeds closed", Bound);
    }

    [Fact]
    public async Task ResumeInsideTheBuild_OnASiloWithoutItsFeed_GetsTheRestFromTheSession()
    {
        await using var rig = await GrainRig.StartAsync(silos: 2);
        var key = rig.Sessions(0).NewKey();
        var all = await Collect(rig.Sessions(0), key).WaitAsync(Bound);
        await Poll.UntilAsync(() => Feeds(rig, 1).Count == 0, "no feed on silo 1", Bound);

        // Index 2 is a line of the build (waiting, fetching, building …): silo 1 never followed it.
        var resumed = await Collect(rig.Sessions(1), key, from: 2).WaitAsync(Bound);

        Assert.Equal(all.Skip(2).Select(e => (e.Index, BinderEventJson.Serialize(e.Event))), resumed.Select(e => (e.Index, BinderEventJson.Serialize(e.Event))));
        Assert.Equal(1, rig.Builder.Calls);
        Assert.Equal(0, Feeds(rig, 1).Count);
    }

    [Fact]
    public void EncodedOnce_ACopyEncodesItsOwn_AndEqualityIgnoresTheCache()
    {
        var e = BinderEvent.Of(BinderPhase.Building, "line");
        var bytes = e.Utf8Json;
        var copy = e with { Message = "other\n" };

        Assert.True(bytes.Span.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(BinderEventJson.Serialize(e))));
        Assert.True(e.Utf8Json.Equals(bytes));
        Assert.Equal(BinderEventJson.Serialize(copy), System.Text.Encoding.UTF8.GetString(copy.Utf8Json.Span));
        Assert.Equal(BinderEvent.Of(BinderPhase.Building, "line"), e);
    }

    private static BuildFeeds Feeds(GrainRig rig, int silo) => rig.Cluster.Silos[silo].ServiceProvider.GetRequiredService<BuildFeeds>();

    private static async Task<List<SessionEntry>> Collect(LaunchSessions sessions, string key, int from = 0)
    {
        using var cts = new CancellationTokenSource(Bound);
        var list = new List<SessionEntry>();
        await foreach (var e in sessions.WatchAsync(key, Spec, from, cts.Token)) list.Add(e);
        return list;
    }
}
