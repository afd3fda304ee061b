namespace BinderOrleans.Docker.Launches;

/// <summary>
/// The servers this process may start at once (<c>Docker:MaxConcurrentStarts</c>), and how many launches wait for
/// one. A slot is given back once, whichever comes first: the server answers, fails, or has held it long enough.
/// </summary>
internal sealed class StartSlots
{
    private readonly SemaphoreSlim? _slots;
    private int _waiting;

    public StartSlots(int max)
    {
        Max = max;
        _slots = max > 0 ? new SemaphoreSlim(max, max) : null;
    }

    /// <summary>Slots in all; 0 when starts are not limited.</summary>
    public int Max { get; }

    /// <summary>Launches waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// The next free slot, first come first served (the semaphore's queue). Cancelled, the wait leaves the queue; a
    /// slot that comes free at that very moment is the caller's to give back (see <see cref="Abandon"/>).
    /// </summary>
    public async Task<Slot> TakeAsync(CancellationToken cancellationToken)
    {
        if (_slots is null) return new Slot(null);
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Slot(_slots);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Gives back the slot of a <see cref="TakeAsync"/> whose caller stopped waiting, should it still come.</summary>
    public static void Abandon(Task<Slot> taking) =>
        _ = taking.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>One taken slot; <see cref="Dispose"/> gives it back, the first time only.</summary>
    internal sealed class Slot(SemaphoreSlim? slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (slots is not null && Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
