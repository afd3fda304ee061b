using BinderOrleans.Core.Events;

namespace BinderOrleans.Core.Grains;

/// <summary>
/// One client's launch session, keyed by a random id: resolve → build (shared) → launch (its own). The session
/// outlives its connection for a while, so a reconnecting EventSource resumes it instead of launching again.
/// </summary>
public interface ILaunchGrain : IGrain
{
    /// <summary>Events from <paramref name="fromIndex"/> on, each with its index in the session.</summary>
    IAsyncEnumerable<(int Index, BinderEvent Event)> WatchAsync(int fromIndex, CancellationToken cancellationToken);

    /// <summary>Number of events so far.</summary>
    int EventCount { get; }
}
