namespace BinderOrleans.Core.Builds;

/// <summary>
/// The bookkeeping of <see cref="BuildQueueGrain"/>, apart from Orleans so it can be tested with a fake clock: slots
/// held as leases renewed by <see cref="Enter"/>, a first-come line whose members must keep asking, and expiry of
/// both when their holder goes quiet.
/// </summary>
internal sealed class BuildQueueBook(int limit, TimeSpan slotLease, TimeSpan waitLease)
{
    private readonly Dictionary<string, DateTimeOffset> _running = new(StringComparer.Ordinal);
    private readonly List<(string Image, DateTimeOffset Seen)> _waiting = [];

    public int Limit { get; } = Math.Max(1, limit);

    public int Enter(string image, DateTimeOffset now)
    {
        Expire(now);
        if (_running.ContainsKey(image))
        {
            _running[image] = now;
            return 0;
        }
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
        var free = Limit - _running.Count;
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

    private void Expire(DateTimeOffset now)
    {
        foreach (var (image, seen) in _running.ToArray())
        {
            if (now - seen > slotLease) _running.Remove(image);
        }
        _waiting.RemoveAll(w => now - w.Seen > waitLease);
    }
}
