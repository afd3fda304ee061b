using BinderOrleans.Core.Launches;
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
}
