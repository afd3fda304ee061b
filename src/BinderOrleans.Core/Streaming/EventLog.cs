using System.Runtime.CompilerServices;

namespace BinderOrleans.Core.Streaming;

/// <summary>
/// Append-only log with any number of readers: each reader replays from an index, then follows live.
/// One writer (the grain) appends; readers never block it. Memory is bounded: past
/// <see cref="Capacity"/> entries only entries that <c>mustKeep</c> accepts are stored, and a single
/// overflow entry notes the loss, so terminal events always reach every reader.
/// </summary>
public sealed class EventLog<T>
{
    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _overflowNoted;

    public EventLog(int capacity = DefaultCapacity) => Capacity = capacity;

    public const int DefaultCapacity = 50_000;

    public int Capacity { get; }

    public bool IsCompleted { get; private set; }

    public int Count { get { lock (_gate) { return _items.Count; } } }

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
            if (IsCompleted) return false;
            if (_items.Count >= Capacity && !mustKeep)
            {
                if (_overflowNoted || overflowNote is null) return false;
                _overflowNoted = true;
                item = overflowNote();
            }
            _items.Add(item);
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
            if (IsCompleted) return;
            IsCompleted = true;
            signal = _changed;
        }
        signal.TrySetResult();
    }

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate) { return _items.ToArray(); }
    }

    /// <summary>Everything from <paramref name="fromIndex"/> on, then live entries until the log completes.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync(int fromIndex = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(0, fromIndex);
        while (true)
        {
            T[] batch;
            bool completed;
            Task changed;
            lock (_gate)
            {
                batch = next < _items.Count ? _items.GetRange(next, _items.Count - next).ToArray() : [];
                completed = IsCompleted;
                changed = _changed.Task;
            }
            foreach (var item in batch)
            {
                yield return item;
            }
            next += batch.Length;
            if (batch.Length > 0) continue;
            if (completed) yield break;
            TimeSpan linger;
            LogReaders.Enter();
            try
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                linger = LogReaders.LingerFor(LogReaders.Waiting);
            }
            finally
            {
                LogReaders.Leave();
            }
            if (linger > TimeSpan.Zero) await Task.Delay(linger, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Readers of every <see cref="EventLog{T}"/> of this process waiting for their next entry. With many of them (one
/// build followed by a thousand sessions, each followed by its client), a woken reader waits a little before taking
/// what is new, so one wake-up carries several entries: Orleans sends what an enumerator has ready as one batch, and a
/// grain round trip per entry per reader is what the fan-out costs. With few readers nothing waits.
/// </summary>
internal static class LogReaders
{
    /// <summary>What each waiting reader adds to the wait, below which there is none.</summary>
    public static readonly TimeSpan PerReader = TimeSpan.FromMicroseconds(25);

    /// <summary>The longest wait: entries reach a client at most about twice this later (two logs on the way).</summary>
    public static readonly TimeSpan MaxLinger = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan MinLinger = TimeSpan.FromMilliseconds(1);

    private static int _waiting;

    /// <summary>Readers waiting now.</summary>
    public static int Waiting => Volatile.Read(ref _waiting);

    public static void Enter() => Interlocked.Increment(ref _waiting);

    public static void Leave() => Interlocked.Decrement(ref _waiting);

    /// <summary>The wait after a change with <paramref name="waiting"/> readers waiting: none below 1 ms, at most <see cref="MaxLinger"/>.</summary>
    public static TimeSpan LingerFor(int waiting)
    {
        var linger = PerReader * waiting;
        return linger < MinLinger ? TimeSpan.Zero : linger > MaxLinger ? MaxLinger : linger;
    }
}
