using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// A stretch of a session that is one run of a build's log, from its first event up to (not including) its
/// <c>built</c> or <c>failed</c>: the session holds the silo's shared log, not a copy of its lines.
/// </summary>
internal sealed class BuildStretch(BuildRequest request, FeedLog log)
{
    public BuildRequest Request { get; } = request;

    public FeedLog Log { get; } = log;

    /// <summary>How many of the build's events the stretch holds; -1 while the session still follows the build.</summary>
    public int Count { get; private set; } = -1;

    public bool IsClosed => Count >= 0;

    public void Close(int count)
    {
        if (Count < 0) Count = count;
    }

    /// <summary>Where the stretch ends as far as its log shows now: its count, or the build's end, or -1 (not yet known).</summary>
    public int KnownEnd()
    {
        if (Count >= 0) return Count;
        return Log.Events.FindIndex(static e => e.Phase is BinderPhase.Built or BinderPhase.Failed);
    }

    /// <summary>How far the stretch reaches now: its known end, or everything its log has.</summary>
    public int Reach()
    {
        var end = KnownEnd();
        return end >= 0 ? end : Log.Events.Count;
    }
}
