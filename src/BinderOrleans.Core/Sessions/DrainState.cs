namespace BinderOrleans.Core.Sessions;

/// <summary>
/// Whether this replica is draining (a SIGTERM arrived: it takes no new sessions but finishes the builds and launches it
/// runs), how much of that work is still running here, and when the drain is over (what is left is handed over).
/// </summary>
public sealed class DrainState
{
    private readonly object _gate = new();
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _drained = new();
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private int _running;

    /// <summary>True from the start of the drain on: readiness fails and new sessions are refused.</summary>
    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Cancelled when the drain starts.</summary>
    public CancellationToken Draining => _draining.Token;

    /// <summary>Cancelled when the drain is over: streams still open here close, and their clients resume elsewhere.</summary>
    public CancellationToken Drained => _drained.Token;

    /// <summary>Builds and launches running on this replica.</summary>
    public int Running { get { lock (_gate) return _running; } }

    /// <summary>Counts one build or launch as running here until the returned handle is disposed.</summary>
    public IDisposable Track()
    {
        lock (_gate)
        {
            if (_running++ == 0) _idle = NewIdle(completed: false);
        }
        return new Work(this);
    }

    /// <summary>Starts the drain and waits until nothing runs here, or <paramref name="timeout"/> passes.</summary>
    /// <returns>True when everything finished; false when the deadline came first (the rest is handed over).</returns>
    public async Task<bool> DrainAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _draining.Cancel();
        Task idle;
        lock (_gate) idle = _idle.Task;
        try
        {
            await idle.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _drained.Cancel();
        }
    }

    private void Finish()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_running == 0) idle = _idle;
        }
        idle?.TrySetResult();
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) tcs.SetResult();
        return tcs;
    }

    private sealed class Work(DrainState owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Finish();
        }
    }
}
