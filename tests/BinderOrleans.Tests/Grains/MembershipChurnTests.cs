using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace BinderOrleans.Tests.Grains;

/// <summary>
/// Silos joining, leaving and dying while builds run (Orleans.TestingHost): the build grain stays one activation (one
/// build), and the build queue keeps its limit across the loss of its own silo.
/// </summary>
public sealed class MembershipChurnTests
{
    [Fact]
    public async Task Build_50AttachesWhileSilosJoinStopAndDie_BuildsOnce()
    {
        await using var rig = await GrainRig.StartAsync(silos: 3);
        Assert.All(rig.Cluster.Silos, s => Assert.True(IPAddress.IsLoopback(s.SiloAddress.Endpoint.Address), $"{s.SiloAddress} is not loopback"));
        rig.Builder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const string Image = "img:churn";
        var request = GrainRig.Request(Image);
        var attaches = new List<Task<List<BinderEvent>>>();
        void Attach(InProcessSiloHandle silo)
        {
            var grains = silo.ServiceProvider.GetRequiredService<IGrainFactory>();
            attaches.Add(Task.Run(() => GrainRig.CollectAsync(grains.GetGrain<IBuildGrain>(Image).WatchAsync(request))));
        }
        var primary = rig.Cluster.Silos[0];

        // The first 25 race the first activation while a silo joins (the directory's owners move).
        var joining = rig.Cluster.StartAdditionalSiloAsync();
        for (var i = 0; i < 25; i++) Attach(primary);
        await joining.WaitAsync(TimeSpan.FromSeconds(60));
        await GrainRig.WaitUntil(() => Task.FromResult(rig.Builder.Calls >= 1));

        // Churn around the build's own silo (losing that one restarts the build, as SiloLossTests shows): one silo
        // stops, one dies, two join, and 25 more attach from the silos that stay, through every step.
        Assert.True(rig.Cluster.TryGetGrainContext(rig.Build(Image).GetGrainId(), out var context));
        var host = rig.Cluster.GetSiloForAddress(context.Address.SiloAddress!)!;
        var victims = rig.Cluster.Silos.Where(s => s != primary && s != host).Take(2).ToList();
        Assert.Equal(2, victims.Count);
        var staying = new List<InProcessSiloHandle> { primary, host };
        var steps = new Func<Task>[]
        {
            () => rig.Cluster.StopSiloAsync(victims[0]),
            async () => staying.Add(await rig.Cluster.StartAdditionalSiloAsync()),
            () => rig.Cluster.KillSiloAsync(victims[1]),
            async () => staying.Add(await rig.Cluster.StartAdditionalSiloAsync()),
            () => rig.Cluster.WaitForLivenessToStabilizeAsync(),
        };
        var attached = 25;
        foreach (var step in steps)
        {
            var churn = step();
            for (var i = 0; i < 5; i++, attached++) Attach(staying[attached % staying.Count]);
            await churn.WaitAsync(TimeSpan.FromSeconds(60));
        }
        Assert.Equal(50, attached);

        rig.Builder.Gate.SetResult();
        var results = await Task.WhenAll(attaches).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.All(results, events => Assert.Equal(BinderPhase.Built, events[^1].Phase));
        Assert.Equal(1, rig.Builder.Calls);
    }

    [Fact]
    public async Task Queue_ItsSiloDies_RunningBuildsKeepTheirSlots_AndTheLimitHolds()
    {
        await using var rig = await GrainRig.StartAsync(r =>
        {
            r.BuildOptions.ConcurrentLimit = 2;
            r.BuildOptions.QueueSlotLease = TimeSpan.FromSeconds(3);
            // Grains start where they are first called, so the test puts the queue on a silo of its own.
            r.MoreServices = services => services.AddSingleton<PlacementStrategy, PreferLocalPlacement>();
        }, silos: 3);
        rig.Builder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (builds, queueSilo) = (rig.Cluster.Silos[0], rig.Cluster.Silos[1]);
        await Grains(queueSilo).GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey).GetStateAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(rig.Cluster.TryGetGrainContext(rig.Grains.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey).GetGrainId(), out var queue));
        Assert.Equal(queueSilo.SiloAddress, queue.Address.SiloAddress);

        var images = Enumerable.Range(0, 5).Select(i => $"img:queue-{i}").ToList();
        var watches = images.Select(image =>
            Task.Run(() => GrainRig.CollectAsync(Grains(builds).GetGrain<IBuildGrain>(image).WatchAsync(GrainRig.Request(image))))).ToList();
        await GrainRig.WaitUntil(async () => (await QueueStateAsync()).Waiting.Length == 3 && rig.Builder.Calls == 2);

        // Three builds poll every 50 ms for a slot, the two running renew every second: the new queue must not
        // give the waiting ones the slots that the running ones still hold.
        await rig.Cluster.KillSiloAsync(queueSilo);
        await GrainRig.WaitUntil(async () => await QueueStateAsync() is { Running.Length: 2, Waiting.Length: 3 });
        Assert.Equal(2, rig.Builder.MaxRunning);

        rig.Builder.Gate.SetResult();
        var results = await Task.WhenAll(watches).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.All(results, events => Assert.Equal(BinderPhase.Built, events[^1].Phase));
        Assert.Equal(5, rig.Builder.Calls);
        Assert.Equal(2, rig.Builder.MaxRunning);

        async Task<BuildQueueState> QueueStateAsync() =>
            await Grains(builds).GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey).GetStateAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static IGrainFactory Grains(InProcessSiloHandle silo) => silo.ServiceProvider.GetRequiredService<IGrainFactory>();
}
