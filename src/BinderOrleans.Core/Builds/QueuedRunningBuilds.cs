
namespace BinderOrleans.Core.Builds;

/// <summary>Running builds as the cluster-wide build queue counts its slots.</summary>
internal sealed class QueuedRunningBuilds(IGrainFactory grains) : IRunningBuilds
{
    public async Task<int> CountAsync(CancellationToken cancellationToken) =>
        (await grains.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey).GetStateAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false)).Running.Length;
}
