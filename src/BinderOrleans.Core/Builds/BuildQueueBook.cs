namespace BinderOrleans.Core.Builds;

/// <summary>
/// The bookkeeping of <see cref="BuildQueueGrain"/>, apart from Orleans so it can be tested with a fake clock: slots
/// held as leases renewed by <see cref="Enter"/>, a first-come line whose members must keep asking, and expiry of
/// both when their holder goes quiet. A book that starts over (its grain's silo was lost) first hears from the builds
/// that may still run (<see cref="Expect"/>), so a waiting build cannot take a slot a running one still holds.
/// </summary>
internal sealed class BuildQueueBook(int limit, TimeSpan slotLease, TimeSpan waitLease)
{
    private readonly Dictionary<string, DateTimeOffset> _running = new(StringComparer.Ordinal);
    private readonly List<(string Image, DateTimeOffset Seen)> _waiting = [];
    private readonly HashSet<string> _unconfirmed = new(StringComparer.Ordinal);
    private DateTimeOffset _settledAt;

    public int Limit { get; } = Math.Max(1, limit);

    /// <summary>
    /// Until each of <paramref name="images"/> has renewed or entered, or until <paramref name="until"/>, no new slot is
    /// handed out: each of them may still hold one that this new book does not know of.
    /// </summary>
    public void Expect(IEnumerable<string> images, DateTimeOffset until)
    {
        _unconfirmed.UnionWith(images);
        _settledAt = until;
    }

    /// <summary>A running build keeps (or, with a new book, takes back) its slot, however full the queue is.</summary>
    public void Renew(string image, DateTimeOffset now)
    {
        _unconfirmed.Remove(image);
        _waiting.RemoveAll(w => w.Image == image);
        _running[image] = now;
    }

    public int Enter(string image, DateTimeOffset now)
    {
        Expire(now);
        if (_running.ContainsKey(image))
        {
            _running[image] = now;
            return 0;
        }
        _unconfirmed.Remove(image);
        var position = _waiting.FindIndex(w => w.Image == image);
        if (position < 0)
        {
            _waiting.Add((image, now));
            position = _waiting.Count - 1;
        }
        else
        {
            _waiting[position] = (image, now);
        }
        // Anyone within the first `free` places takes a slot; the rest are told their place behind them.
        var free = Settling(now) ? 0 : Math.Max(0, Limit - _running.Count);
        if (position < free)
        {
            _waiting.RemoveAt(position);
            _running[image] = now;
            return 0;
        }
        return position - free + 1;
    }

    public void Leave(string image)
    {
        _running.Remove(image);
        _waiting.RemoveAll(w => w.Image == image);
    }

    public BuildQueueState State(DateTimeOffset now)
    {
        Expire(now);
        return new BuildQueueState(Limit, [.. _running.Keys], [.. _waiting.Select(w => w.Image)]);
    }

    private bool Settling(DateTimeOffset now) => _unconfirmed.Count > 0 && now < _settledAt;

    private void Expire(DateTimeOffset now)
    {
        foreach (var (image, seen) in _running.ToArray())
        {
            if (now - seen > slotLease) _running.Remove(image);
        }
        _waiting.RemoveAll(w => now - w.Seen > waitLease);
    }
}
