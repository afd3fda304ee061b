namespace BinderOrleans.Core.Builds;

/// <summary>
/// The cluster-wide build queue (one activation, key <see cref="ClusterKey"/>): at most <c>Build:ConcurrentLimit</c>
/// builds run at once across every replica, the rest wait in arrival order and learn their position (BinderHub #202).
/// Slots are leases: a build renews its slot while it runs, and a slot whose build stopped renewing (its silo died) is
/// freed, so a lost replica cannot leak slots.
/// </summary>
[Alias("binder.build-queue")]
public interface IBuildQueueGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>Asks for a slot for <paramref name="imageName"/> (older versions renew with it too).</summary>
    /// <returns>0 when the caller holds a slot; otherwise its 1-based position in the line.</returns>
    [Alias("enter")]
    ValueTask<int> EnterAsync(string imageName);

    /// <summary>Gives the slot (or the place in line) back.</summary>
    [Alias("leave")]
    ValueTask LeaveAsync(string imageName);

    /// <summary>
    /// Renews the slot of <paramref name="imageName"/>, a build that runs: it is counted as running even by a queue
    /// that started over after its silo was lost and has not heard of it yet.
    /// </summary>
    [Alias("renew")]
    ValueTask RenewAsync(string imageName);

    [Alias("get-state")]
    ValueTask<BuildQueueState> GetStateAsync();
}

/// <param name="Limit">Slots.</param>
/// <param name="Running">Images holding a slot.</param>
/// <param name="Waiting">Images waiting, first in line first.</param>
[GenerateSerializer, Immutable, Alias("binder.build-queue-state")]
public sealed record BuildQueueState([property: Id(0)] int Limit, [property: Id(1)] string[] Running, [property: Id(2)] string[] Waiting);
