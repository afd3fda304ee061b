using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// What a launch session has said, in order, numbered from <see cref="Base"/>: its own events, and stretches that are a
/// build's log (held by reference to the silo's <see cref="FeedLog"/>, never copied). Used on the session grain's
/// scheduler; the parts log is safe for its readers.
/// </summary>
internal sealed class SessionRecord
{
    private readonly EventLog<SessionPart> _parts = new();
    private BuildStretch? _open;
    private SessionPart? _last;

    /// <summary>The index of the session's first event here (a restarted session numbers on from where its client was).</summary>
    public int Base { get; private set; } = -1;

    public bool IsStarted => Base >= 0;

    public bool IsCompleted => _parts.IsCompleted;

    /// <summary>The last event of the session's own (its end, once it ended).</summary>
    public BinderEvent? LastEvent { get; private set; }

    /// <summary>The index its next event would get.</summary>
    public int NextIndex
    {
        get
        {
            if (_last is null) return Math.Max(0, Base);
            if (_last.Event is not null) return _last.Start + 1;
            var stretch = _last.Build!;
            return _last.Start + (stretch.IsClosed ? stretch.Count : stretch.Reach());
        }
    }

    public void Start(int fromIndex) => Base = fromIndex;

    public void Append(BinderEvent e)
    {
        CloseOpen(null);
        var part = new SessionPart(NextIndex, e, null);
        if (!_parts.Append(part)) return;
        _last = part;
        LastEvent = e;
    }

    /// <summary>Starts a stretch that is <paramref name="log"/>'s events from its first on; <see cref="CloseBuild"/> ends it.</summary>
    public BuildStretch OpenBuild(BuildRequest request, FeedLog log)
    {
        CloseOpen(null);
        var stretch = new BuildStretch(request, log);
        var part = new SessionPart(NextIndex, null, stretch);
        if (_parts.Append(part))
        {
            _last = part;
            _open = stretch;
        }
        return stretch;
    }

    /// <summary>Ends the open stretch after <paramref name="count"/> of its build's events.</summary>
    public void CloseBuild(BuildStretch stretch, int count)
    {
        if (ReferenceEquals(_open, stretch)) CloseOpen(count);
        else stretch.Close(count);
    }

    public void Complete()
    {
        CloseOpen(null);
        _parts.Complete();
    }

    public void Abort(Exception reason) => _parts.Abort(reason);

    private void CloseOpen(int? count)
    {
        if (_open is not { } open) return;
        // A stretch left open (the session was cancelled while it followed the build) ends where its log is now.
        open.Close(count ?? open.Reach());
        _open = null;
    }

    /// <summary>
    /// The session from <paramref name="fromIndex"/> on, in batches: its own events, and for a build stretch either a
    /// <see cref="BuildSegment"/> (the front end reads its silo's feed; this watch then goes on after the stretch) or,
    /// with <paramref name="expandBuilds"/>, the stretch's events themselves (read from this silo's log).
    /// </summary>
    public async IAsyncEnumerable<SessionBatch> ReadAsync(int fromIndex, bool expandBuilds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = Math.Max(Base, fromIndex);
        var partsSeen = 0;
        var own = new List<BinderEvent>();
        var ownStart = index;
        await foreach (var parts in _parts.ReadBatchesAsync(0, cancellationToken))
        {
            for (var p = 0; p < parts.Length; p++)
            {
                var part = parts.Span[p];
                partsSeen++;
                if (part.Event is { } e)
                {
                    if (part.Start < index) continue;
                    if (own.Count == 0) ownStart = part.Start;
                    own.Add(e);
                    index = part.Start + 1;
                    continue;
                }
                var stretch = part.Build!;
                if (stretch.IsClosed && part.Start + stretch.Count <= index) continue;
                if (own.Count > 0)
                {
                    yield return new SessionBatch(ownStart, [.. own]);
                    own.Clear();
                }
                var offset = Math.Max(0, index - part.Start);
                if (!expandBuilds)
                {
                    yield return new SessionBatch(part.Start + offset, [],
                        new BuildSegment(stretch.Request, stretch.Log.Generation, offset, stretch.IsClosed ? stretch.Count - offset : null));
                }
                else
                {
                    await foreach (var batch in ExpandAsync(part, offset, () => partsSeen, cancellationToken))
                    {
                        yield return batch;
                    }
                }
                // What follows the stretch starts where it ended.
                index = part.Start;
            }
            if (own.Count > 0)
            {
                yield return new SessionBatch(ownStart, [.. own]);
                own.Clear();
            }
        }
    }

    /// <summary>A stretch's events from <paramref name="offset"/> until it is closed (capped at its count), from its log.</summary>
    private async IAsyncEnumerable<SessionBatch> ExpandAsync(SessionPart part, int offset, Func<int> partsSeen,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stretch = part.Build!;
        var events = stretch.Log.Events;
        var position = offset;
        while (true)
        {
            var available = events.Count;
            var end = stretch.KnownEnd();
            var limit = end >= 0 ? Math.Min(end, available) : available;
            if (position < limit)
            {
                yield return new SessionBatch(part.Start + position, events.Slice(position, limit - position));
                position = limit;
                continue;
            }
            if (stretch.IsClosed && position >= stretch.Count) yield break;
            if (end >= 0 || events.Ended.IsCompleted)
            {
                // The build's part is over; the session closes the stretch as it appends what follows.
                if (_parts.Ended.IsCompleted) yield break;
                await _parts.WaitBeyondAsync(partsSeen(), cancellationToken);
                if (_parts.Count <= partsSeen() && !_parts.Ended.IsCompleted) continue;
                if (!stretch.IsClosed) yield break;
                continue;
            }
            if (_parts.Ended.IsCompleted) yield break;
            await Task.WhenAny(events.WaitBeyondAsync(available, cancellationToken), _parts.WaitBeyondAsync(partsSeen(), cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
