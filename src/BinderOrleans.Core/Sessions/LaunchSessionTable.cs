using System.Collections.Concurrent;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// The launch sessions active on this silo (<c>Binder:MaxSessions</c> bounds them): launch grains add and remove
/// themselves, the front end asks for room before starting a session and evicts the oldest finished ones to make it.
/// A running session is never evicted.
/// </summary>
public sealed class LaunchSessionTable
{
    private readonly ConcurrentDictionary<string, DateTimeOffset?> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    internal void Add(string key) => _sessions[key] = null;

    internal void Remove(string key) => _sessions.TryRemove(key, out _);

    internal void MarkFinished(string key, DateTimeOffset at)
    {
        if (_sessions.ContainsKey(key)) _sessions[key] = at;
    }

    /// <summary>
    /// Room for one more session under <paramref name="max"/>: the oldest finished sessions to evict (already taken out
    /// of the count), or null when every session is still running.
    /// </summary>
    public IReadOnlyList<string>? MakeRoom(int max)
    {
        var excess = _sessions.Count - max + 1;
        if (excess <= 0) return [];
        var oldest = _sessions.Where(s => s.Value is not null).OrderBy(s => s.Value).Take(excess).Select(s => s.Key).ToList();
        if (oldest.Count < excess) return null;
        foreach (var key in oldest) _sessions.TryRemove(key, out _);
        return oldest;
    }
}
