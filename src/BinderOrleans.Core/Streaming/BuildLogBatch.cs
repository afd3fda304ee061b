namespace BinderOrleans.Core.Streaming;

/// <summary>
/// Consecutive events of a build's log, as one watch round trip carries them: everything that was there when the watcher
/// asked.
/// </summary>
/// <param name="Index">The log index of the first event; -1 for a notice that is not part of the log (it comes alone).</param>
/// <param name="Generation">The run of the build they belong to (<see cref="BuildLogEntry.Generation"/>).</param>
/// <param name="Events">The events, never empty; never changed once sent.</param>
[GenerateSerializer, Immutable, Alias("binder.build-log-batch")]
public sealed record BuildLogBatch([property: Id(0)] int Index, [property: Id(1)] string Generation, [property: Id(2)] BinderEvent[] Events);
