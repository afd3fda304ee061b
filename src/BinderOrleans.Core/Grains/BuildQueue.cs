namespace BinderOrleans.Core.Grains;

/// <summary>
/// Caps concurrent builds in this process. Waiters are served in arrival order and told their position
/// whenever it changes, so a user sees "position 3 in the queue" instead of a silent wait (BinderHub #202).
/// </summary>
public sealed class BuildQueue
{
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private int _running;

    public BuildQueue(int limit) => Limit = Math.Max(1, limit);

    public int Limit { get; }

    public int Running { get { lock (_gate) { return _running; } } }

    public int Waiting { get { lock (_gate) { return _waiting.Count; } } }

    /// <summary>Waits for a build slot. <paramref name="onPosition"/> gets 1-based queue positions while waiting.</summary>
    /// <returns>The slot; dispose it when the build ends.</returns>
    public async Task<IDisposable> EnterAsync(Action<int> onPosition, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            if (_running < Limit && _waiting.Count == 0)
            {
                _running++;
                return new Slot(this);
            }
            waiter = new Waiter(onPosition);
            waiter.Node = _waiting.AddLast(waiter);
            waiter.Position = _waiting.Count;
        }
        onPosition(waiter.Position);
        await using var registration = cancellationToken.Register(() => Abandon(waiter)).ConfigureAwait(false);
        await waiter.Granted.Task.ConfigureAwait(false);
        return new Slot(this);
    }

    private void Abandon(Waiter waiter)
    {
        List<Waiter> moved;
        lock (_gate)
        {
            if (waiter.Node?.List is null) return;
            _waiting.Remove(waiter.Node);
            moved = Renumber();
        }
        waiter.Granted.TrySetCanceled();
        Notify(moved);
    }

    private void Release()
    {
        Waiter? next = null;
        List<Waiter> moved;
        lock (_gate)
        {
            if (_waiting.First is { } first)
            {
                next = first.Value;
                _waiting.RemoveFirst();
            }
            else
            {
                _running--;
            }
            moved = Renumber();
        }
        next?.Granted.TrySetResult();
        Notify(moved);
    }

    private List<Waiter> Renumber()
    {
        var moved = new List<Waiter>();
        var position = 1;
        foreach (var w in _waiting)
        {
            if (w.Position != position)
            {
                w.Position = position;
                moved.Add(w);
            }
            position++;
        }
        return moved;
    }

    private static void Notify(List<Waiter> moved)
    {
        foreach (var w in moved) w.OnPosition(w.Position);
    }

    private sealed class Waiter(Action<int> onPosition)
    {
        public Action<int> OnPosition { get; } = onPosition;
        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node { get; set; }
        public int Position { get; set; }
    }

    private sealed class Slot(BuildQueue queue) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) queue.Release();
        }
    }
}
