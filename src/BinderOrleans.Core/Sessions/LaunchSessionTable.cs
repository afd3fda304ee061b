namespace BinderOrleans.Core.Sessions;

/// <summary>
/// The launch sessions active on this silo (<c>Binder:MaxSessions</c> bounds them): launch grains add and remove
/// themselves, the front end asks for room before starting a session and evicts the oldest finished ones to make it.
/// A running session is never evicted. Finished sessions are kept in the order they finished, so making room at the
/// bound takes the oldest at once instead of sorting every session for every new one.
/// </summary>
public sealed class LaunchSessionTable
{
    private readonly Lock _gate = new();
    // A session's node in _finished once it finished; null while it runs.
    private readonly Dictionary<string, LinkedListNode<(string Key, DateTimeOffset At)>?> _sessions = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, DateTimeOffset At)> _finished = new();

    public int Count
    {
        get
        {
            lock (_gate) return _sessions.Count;
        }
    }

    internal void Add(string key)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(key, out var node) && node is not null) _finished.Remove(node);
            _sessions[key] = null;
        }
    }

    internal void Remove(string key)
    {
        lock (_gate)
        {
            if (_sessions.Remove(key, out var node) && node is not null) _finished.Remove(node);
        }
    }

    internal void MarkFinished(string key, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(key, out var node)) return;
            if (node is not null) _finished.Remove(node);
            // Sessions finish in time order almost always: the place is at or near the end.
            var after = _finished.Last;
            while (after is not null && after.Value.At > at) after = after.Previous;
            var added = new LinkedListNode<(string Key, DateTimeOffset At)>((key, at));
            if (after is null) _finished.AddFirst(added);
            else _finished.AddAfter(after, added);
            _sessions[key] = added;
        }
    }

    /// <summary>
    /// Room for one more session under <paramref name="max"/>: the oldest finished sessions to evict (already taken out
    /// of the count), or null when every session is still running.
    /// </summary>
    public IReadOnlyList<string>? MakeRoom(int max)
    {
        lock (_gate)
        {
            var excess = _sessions.Count - max + 1;
            if (excess <= 0) return [];
            if (_finished.Count < excess) return null;
            var oldest = new List<string>(excess);
            for (var i = 0; i < excess; i++)
            {
                var key = _finished.First!.Value.Key;
                _finished.RemoveFirst();
                _sessions.Remove(key);
                oldest.Add(key);
            }
            return oldest;
        }
    }
}
