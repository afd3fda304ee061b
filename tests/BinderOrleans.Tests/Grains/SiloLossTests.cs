using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;

namespace BinderOrleans.Tests.Grains;

/// <summary>A silo lost mid-build, on a real two-silo cluster (Orleans.TestingHost).</summary>
public sealed class SiloLossTests
{
    private static LaunchSpec Spec => new("fake", "owner/repo/HEAD", "127.0.0.1", "http://127.0.0.1:8585/");

    [Fact]
    public async Task SiloRunningTheBuildKilled_SessionOnTheSurvivor_ResumesAndGetsTheRebuiltImage()
    {
        await using var rig = await GrainRig.StartAsync(silos: 2);
        rig.Builder.Gate = new TaskCompletionSource();
        var sessions = new[] { rig.Launch(Spec, silo: 0), rig.Launch(Spec, silo: 1) };
        var collecting = sessions.Select(s => GrainRig.CollectAsync(s.Events)).ToArray();
        await GrainRig.WaitUntil(() => Task.FromResult(rig.Builder.Calls == 1));

        // Kill (no goodbye) whichever silo runs the build; the session started from the other one must survive it.
        var image = ImageNaming.ImageName("", "owner/repo/HEAD", "0123456789abcdef0123456789abcdef01234567");
        Assert.True(rig.Cluster.TryGetGrainContext(rig.Build(image).GetGrainId(), out var context));
        var doomed = rig.Cluster.GetSiloForAddress(context.Address.SiloAddress!)!;
        var survivor = rig.Cluster.Silos.IndexOf(rig.Cluster.Silos.Single(s => s != doomed));
        await rig.Cluster.KillSiloAsync(doomed);
        rig.Builder.Gate.SetResult();

        var events = await collecting[survivor];
        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Contains(events, e => e.Message?.Contains("the build started again", StringComparison.Ordinal) == true);
        Assert.Equal(2, rig.Builder.Calls);
        Assert.Equal(1, rig.Launcher.Calls);
    }

    [Fact]
    public async Task SiloRunningTheLaunchKilled_SessionRestartsOnTheSurvivor_AndAdoptsTheServerItStarted()
    {
        await using var rig = await GrainRig.StartAsync(silos: 2);
        rig.Site.ReconnectGrace = TimeSpan.FromSeconds(30);
        rig.Launcher.ReadyGate = new TaskCompletionSource();
        var key = rig.Sessions(1).NewKey();
        var seen = new List<SessionEntry>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // The session runs on silo 1 (placed where its front end is) and has asked for its server ...
            var first = rig.Sessions(1).WatchAsync(key, Spec, 0, cts.Token).GetAsyncEnumerator(cts.Token);
            while (await first.MoveNextAsync())
            {
                seen.Add(first.Current);
                if (first.Current.Event.Message?.StartsWith("Server requested", StringComparison.Ordinal) == true) break;
            }
            Assert.Equal(1, rig.Launcher.Calls);
            // ... when silo 1 dies with it.
            await rig.Cluster.KillSiloAsync(rig.Cluster.Silos[1]);
        }

        // The client comes back through silo 0 with the last id it saw: the session starts over there and finds the
        // server the lost activation started, instead of launching a second.
        var rest = await CollectEntriesAsync(rig.Sessions(0).WatchAsync(key, Spec, seen[^1].Index + 1, CancellationToken.None));
        Assert.Equal(BinderPhase.Ready, rest[^1].Event.Phase);
        Assert.Equal("http://127.0.0.1:9001/", rest[^1].Event.Url);
        Assert.Equal("token-1", rest[^1].Event.Token);
        Assert.Equal(1, rig.Launcher.Calls);
        Assert.Equal(1, rig.Launcher.Finds);
        Assert.Equal(seen[^1].Index + 1, rest[0].Index);
    }

    [Fact]
    public async Task RestartedSessionWithNoServerLeft_LaunchesOne()
    {
        await using var rig = await GrainRig.StartAsync();
        var key = rig.Sessions().NewKey();

        var events = await CollectEntriesAsync(rig.Sessions().WatchAsync(key, Spec, 7, CancellationToken.None));

        Assert.Equal(BinderPhase.Ready, events[^1].Event.Phase);
        Assert.Equal(1, rig.Launcher.Finds);
        Assert.Equal(1, rig.Launcher.Calls);
    }

    private static async Task<List<SessionEntry>> CollectEntriesAsync(IAsyncEnumerable<SessionEntry> entries)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var list = new List<SessionEntry>();
        await foreach (var e in entries.WithCancellation(cts.Token)) list.Add(e);
        return list;
    }
}
