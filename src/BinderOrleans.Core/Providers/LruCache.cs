namespace BinderOrleans.Core.Providers;

/// <summary>
/// A bounded least-recently-used map, optionally expiring entries after <c>maxAge</c> (BinderHub's <c>utils.Cache</c>).
/// Thread-safe; small enough that one lock is cheaper than anything cleverer.
/// </summary>
internal sealed class LruCache<TKey, TValue> where TKey : notnull
{
    private readonly int _capacity;
    private readonly TimeSpan? _maxAge;
    private readonly TimeProvider _time;
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _order = new();
    private readonly Lock _gate = new();

    public LruCache(int capacity, TimeProvider time, TimeSpan? maxAge = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = time;
        _maxAge = maxAge;
    }

    public int Count
    {
        get
        {
            lock (_gate) return _map.Count;
        }
    }

    /// <summary>The value, refreshed as most recently used; false when absent or expired.</summary>
    public bool TryGet(TKey key, out TValue value)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                if (_maxAge is { } age && _time.GetUtcNow() - node.Value.Stored >= age)
                {
                    Remove(node);
                }
                else
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    value = node.Value.Value;
                    return true;
                }
            }
            value = default!;
            return false;
        }
    }

    public void Set(TKey key, TValue value)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var existing)) Remove(existing);
            var node = _order.AddFirst(new Entry(key, value, _time.GetUtcNow()));
            _map[key] = node;
            while (_map.Count > _capacity) Remove(_order.Last!);
        }
    }

    public void Remove(TKey key)
    {
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node)) Remove(node);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        _map.Remove(node.Value.Key);
    }

    private sealed record Entry(TKey Key, TValue Value, DateTimeOffset Stored);
}
