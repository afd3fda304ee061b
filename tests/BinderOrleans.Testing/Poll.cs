namespace BinderOrleans.Testing;

/// <summary>Waiting in tests for something that happens on its own time: poll, with a bound that fails the test.</summary>
public static class Poll
{
    /// <summary>
    /// Checks <paramref name="condition"/> every <paramref name="interval"/> (20 ms by default) until it holds; throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="bound"/>.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan bound, TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(bound);
        try
        {
            while (!await condition().WaitAsync(cts.Token).ConfigureAwait(false))
            {
                await Task.Delay(interval ?? TimeSpan.FromMilliseconds(20), cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{what} did not happen within {bound}");
        }
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, string, TimeSpan, TimeSpan?, CancellationToken)"/>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan bound, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, bound, interval);
}
