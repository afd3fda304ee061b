using BinderOrleans.Core.Sessions;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// One client's launch session, keyed by a random id: resolve → build (shared) → launch (its own). The session
/// outlives its connection for a while, so a reconnecting client resumes it (from any replica) instead of launching
/// again. Placed on the silo of the front end that starts it.
/// </summary>
[Alias("binder.launch")]
public interface ILaunchGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the session from <paramref name="spec"/> if this activation has not started (a new session, or one whose
    /// silo was lost: it restarts and numbers its events on from <paramref name="fromIndex"/>), then streams its events
    /// from <paramref name="fromIndex"/> on.
    /// </summary>
    [Alias("watch")]
    IAsyncEnumerable<SessionEntry> WatchAsync(LaunchSpec spec, int fromIndex = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="WatchAsync"/> in batches (everything there at each round trip). A build stretch of the session comes as
    /// one <see cref="SessionBatch.Build"/>, which the caller reads from its own silo's <see cref="Streaming.BuildFeeds"/>
    /// while this watch waits for what follows it; <paramref name="expandBuilds"/> sends the stretch's events instead
    /// (a caller whose silo no longer has that run of the build).
    /// </summary>
    [Alias("watch-batches")]
    IAsyncEnumerable<SessionBatch> WatchBatchesAsync(LaunchSpec spec, int fromIndex, bool expandBuilds, CancellationToken cancellationToken = default);

    [Alias("get-state")]
    ValueTask<SessionState> GetStateAsync();

    /// <summary>Deactivates a finished session now (the per-silo session bound evicts the oldest this way).</summary>
    [Alias("evict")]
    ValueTask EvictAsync();
}
