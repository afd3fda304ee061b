using System.Runtime.CompilerServices;

namespace BinderOrleans.Core.Streaming;

/// <summary>
/// Append-only log with any number of readers: each reader replays from an index, then follows live, and takes
/// everything that is there at each wake-up as one batch (a slice of the log's own storage: nothing is copied per
/// reader). One writer (the grain) appends; readers never block it. Memory is bounded: past <see cref="Capacity"/>
/// entries only entries that <c>mustKeep</c> accepts are stored, and a single overflow entry notes the loss, so
/// terminal events always reach every reader.
/// </summary>
public sealed class EventLog<T>
{
    private readonly object _gate = new();
    // Slots below _count are never written again, and growing copies into a new array: a slice handed to a reader
    // stays valid while the writer appends.
    private T[] _items = new T[16];
    private int _count;
    private TaskCompletionSource _changed = NewSignal();
    private readonly TaskCompletionSource _ended = NewSignal();
    private bool _overflowNoted;
    private Exception? _aborted;

    public EventLog(int capacity = DefaultCapacity) => Capacity = capacity;

    public const int DefaultCapacity = 50_000;

    public int Capacity { get; }

    public bool IsCompleted { get; private set; }

    /// <summary>True once <see cref="Abort"/> ended the log without an end.</summary>
    public bool IsAborted { get { lock (_gate) { return _aborted is not null; } } }

    public int Count { get { lock (_gate) { return _count; } } }

    /// <summary>Completes when the log completes or is aborted.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Appends unless the log is full; <paramref name="mustKeep"/> entries go in regardless.</summary>
    /// <returns>
    /// False when the entry was dropped: the log is full (the first drop stores <paramref name="overflowNote"/> instead) or
    /// already complete (a late callback, e.g. a queue position for a build cancelled at shutdown, has nobody to tell).
    /// </returns>
    public bool Append(T item, bool mustKeep = true, Func<T>? overflowNote = null)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (IsCompleted || _aborted is not null) return false;
            if (_count >= Capacity && !mustKeep)
            {
                if (_overflowNoted || overflowNote is null) return false;
                _overflowNoted = true;
                item = overflowNote();
            }
            Add(item);
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
        return true;
    }

    /// <summary>Appends several entries at once (all kept): readers wake once for all of them.</summary>
    public bool AppendRange(ReadOnlySpan<T> items)
    {
        if (items.IsEmpty) return true;
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (IsCompleted || _aborted is not null) return false;
            foreach (var item in items) Add(item);
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
        return true;
    }

    public void Complete()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (IsCompleted || _aborted is not null) return;
            IsCompleted = true;
            signal = _changed;
        }
        signal.TrySetResult();
        _ended.TrySetResult();
    }

    /// <summary>
    /// Ends the log without an end: readers get what is stored, then <paramref name="reason"/> is thrown to them (an
    /// activation handing its work over tells its watchers to resume elsewhere). Nothing more is appended, and the log
    /// does not count as completed (a resume must not take it for a finished session).
    /// </summary>
    public void Abort(Exception reason)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (IsCompleted || _aborted is not null) return;
            _aborted = reason;
            signal = _changed;
        }
        signal.TrySetResult();
        _ended.TrySetResult();
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate) { return _items.AsSpan(0, _count).ToArray(); }
    }

    /// <summary>The entry at <paramref name="index"/> (below <see cref="Count"/>).</summary>
    public T this[int index]
    {
        get
        {
            lock (_gate)
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
                return _items[index];
            }
        }
    }

    /// <summary>A copy of <paramref name="count"/> entries from <paramref name="start"/>.</summary>
    public T[] Slice(int start, int count)
    {
        lock (_gate) { return _items.AsSpan(0, _count).Slice(start, count).ToArray(); }
    }

    /// <summary>The index of the first entry <paramref name="match"/> accepts, or -1.</summary>
    public int FindIndex(Predicate<T> match)
    {
        lock (_gate) { return Array.FindIndex(_items, 0, _count, match); }
    }

    /// <summary>Everything from <paramref name="fromIndex"/> on, then live entries until the log completes.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync(int fromIndex = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var batch in ReadBatchesAsync(fromIndex, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Length; i++) yield return batch.Span[i];
        }
    }

    /// <summary>
    /// Everything from <paramref name="fromIndex"/> on as one batch, then, at each change, everything new as one batch,
    /// until the log completes (or is aborted: its reason is thrown after the last batch). Batches are never empty.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<T>> ReadBatchesAsync(int fromIndex = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(0, fromIndex);
        while (true)
        {
            ReadOnlyMemory<T> batch;
            bool completed;
            Exception? aborted;
            Task changed;
            lock (_gate)
            {
                batch = next < _count ? new ReadOnlyMemory<T>(_items, next, _count - next) : ReadOnlyMemory<T>.Empty;
                completed = IsCompleted;
                aborted = _aborted;
                changed = _changed.Task;
            }
            if (batch.Length > 0)
            {
                next += batch.Length;
                yield return batch;
                continue;
            }
            if (aborted is not null) throw aborted;
            if (completed) yield break;
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the log has more than <paramref name="count"/> entries, completes, or is aborted.</summary>
    public Task WaitBeyondAsync(int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_count > count || IsCompleted || _aborted is not null) return Task.CompletedTask;
            return _changed.Task.WaitAsync(cancellationToken);
        }
    }

    private void Add(T item)
    {
        if (_count == _items.Length)
        {
            var grown = new T[_items.Length * 2];
            _items.AsSpan(0, _count).CopyTo(grown);
            _items = grown;
        }
        _items[_count++] = item;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
