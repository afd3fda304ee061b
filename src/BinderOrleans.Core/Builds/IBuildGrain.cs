using BinderOrleans.Core.Streaming;
using Orleans.Concurrency;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// The build of one image, keyed by image name. Its single activation in the cluster is the lock: however many
/// clients attach, on however many replicas, the image is looked up and built once. Every watcher gets the whole
/// history, then the live tail.
/// </summary>
[Alias("binder.build")]
public interface IBuildGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the build of <paramref name="request"/> if this activation has not started one, then streams its events
    /// from <paramref name="fromIndex"/>; the last is <c>built</c> (with <c>imageName</c>) or <c>failed</c>.
    /// </summary>
    /// <param name="generation">
    /// The <see cref="BuildLogEntry.Generation"/> the caller saw before its watch was aborted. When the build restarted
    /// since (its silo was lost), the stream starts again from the first event of the new generation.
    /// </param>
    [Alias("watch")]
    IAsyncEnumerable<BuildLogEntry> WatchAsync(BuildRequest request, int fromIndex = 0, string? generation = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="WatchAsync"/> in batches: each item is everything the log had when the watcher asked, so one round trip
    /// carries all pending events, however many. A silo's <see cref="BuildFeeds"/> is the one caller per build.
    /// </summary>
    [Alias("watch-batches")]
    IAsyncEnumerable<BuildLogBatch> WatchBatchesAsync(BuildRequest request, int fromIndex = 0, string? generation = null, CancellationToken cancellationToken = default);

    /// <summary>Where this activation stands (tests, diagnostics, and a build queue that starts over).</summary>
    /// <remarks>Interleaves: the queue asks while the build may be waiting on the queue.</remarks>
    [Alias("get-status"), AlwaysInterleave]
    ValueTask<BuildStatus> GetStatusAsync();
}
