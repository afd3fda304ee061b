using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace BinderOrleans.Tests.Grains;

/// <summary>
/// A silo stopped gracefully (<c>StopSiloAsync</c>, what SIGTERM does to a replica) mid-build, on a real two-silo
/// cluster: it drains first, and what is left at the drain deadline is handed over without a <c>failed</c> event.
/// </summary>
public sealed class SiloDrainTests
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(90);

    private static LaunchSpec Spec => new("fake", "owner/repo/HEAD", "127.0.0.1", "http://127.0.0.1:8585/");

    private static readonly string Image = ImageNaming.ImageName("", "owner/repo/HEAD", "0123456789abcdef0123456789abcdef01234567");

    /// <summary>Starts a session from each silo and returns the silo that runs their one build, once it runs.</summary>
    private static async Task<(InProcessSiloHandle Doomed, int Survivor, Task<List<BinderEvent>>[] Sessions)> StartBuildAsync(GrainRig rig)
    {
        rig.Builder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sessions = new[] { rig.Launch(Spec, silo: 0), rig.Launch(Spec, silo: 1) };
        var collecting = sessions.Select(s => GrainRig.CollectAsync(s.Events)).ToArray();
        await GrainRig.WaitUntil(() => Task.FromResult(rig.Builder.Calls == 1));
        Assert.True(rig.Cluster.TryGetGrainContext(rig.Build(Image).GetGrainId(), out var context));
        var doomed = rig.Cluster.GetSiloForAddress(context.Address.SiloAddress!)!;
        var survivor = rig.Cluster.Silos.IndexOf(rig.Cluster.Silos.Single(s => s != doomed));
        return (doomed, survivor, collecting);
    }

    [Fact]
    public async Task SiloStoppedMidBuild_DrainsFirst_TheBuildFinishesThere_AndNoSessionFails()
    {
        await using var rig = await GrainRig.StartAsync(silos: 2);
        var (doomed, survivor, sessions) = await StartBuildAsync(rig);
        var drain = doomed.ServiceProvider.GetRequiredService<DrainState>();

        var stopping = rig.Cluster.StopSiloAsync(doomed);
        await GrainRig.WaitUntil(() => Task.FromResult(drain.IsDraining));
        Assert.False(stopping.IsCompleted, "the silo stopped before its build finished");
        Assert.Equal(2, drain.Running);
        rig.Builder.Gate.SetResult();
        await stopping.WaitAsync(StopBound);

        var events = await sessions[survivor].WaitAsync(StopBound);
        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Failed);
        Assert.DoesNotContain(events, e => e.Message?.Contains("started again", StringComparison.Ordinal) == true);
        Assert.Equal(1, rig.Builder.Calls);
        Assert.Equal(0, drain.Running);
        Assert.True(drain.Drained.IsCancellationRequested);
    }

    [Fact]
    public async Task SiloStoppedMidBuild_PastTheDrainDeadline_HandsTheBuildOver_WithoutAFailedEvent()
    {
        await using var rig = await GrainRig.StartAsync(r => r.Site.DrainTimeout = TimeSpan.FromMilliseconds(500), silos: 2);
        var (doomed, survivor, sessions) = await StartBuildAsync(rig);

        await rig.Cluster.StopSiloAsync(doomed).WaitAsync(StopBound);
        // The survivor's session follows the build to its next activation, which builds again.
        await GrainRig.WaitUntil(() => Task.FromResult(rig.Builder.Calls == 2));
        rig.Builder.Gate.SetResult();

        var events = await sessions[survivor].WaitAsync(StopBound);
        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Failed);
        Assert.Contains(events, e => e.Message?.Contains("the build started again", StringComparison.Ordinal) == true);
        // Launched once for itself (the stopped silo's own session, if it went on elsewhere, launches its own server).
        Assert.Single(events, e => e.Message?.StartsWith("Launching server", StringComparison.Ordinal) == true);
    }
}
