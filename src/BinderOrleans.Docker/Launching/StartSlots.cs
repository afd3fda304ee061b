namespace BinderOrleans.Docker.Launching;

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

    /// <summary>Waits up to <paramref name="wait"/> for a slot; null when none came free in that time.</summary>
    public async Task<Slot?> TryTakeAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (_slots is null) return new Slot(null);
        Interlocked.Increment(ref _waiting);
        try
        {
            return await _slots.WaitAsync(wait, cancellationToken).ConfigureAwait(false) ? new Slot(_slots) : null;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

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
