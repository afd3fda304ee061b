using BinderOrleans.Core.Health;

namespace BinderOrleans.Server.Info;

/// <summary>
/// Runs the health checks at most once per <see cref="Ttl"/>; concurrent callers share the in-flight run.
/// A failing item is retried (3 attempts, 1 s apart) before it counts as down; a check that throws is down.
/// </summary>
internal sealed class HealthCache(IEnumerable<IBinderHealthCheck> checks, TimeProvider time)
{
    // 10 s, not BinderHub's 15: with the retries of a failing item (about 2 s) a backend that goes down right after a
    // check still turns /health 503 within 15 s.
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private const int Attempts = 3;

    private readonly IBinderHealthCheck[] _checks = checks.ToArray();
    private readonly object _gate = new();
    private Task<BinderHealthResult[]>? _current;
    private DateTimeOffset _expires;

    public Task<BinderHealthResult[]> GetAsync()
    {
        lock (_gate)
        {
            if (_current is null || (_current.IsCompleted && time.GetUtcNow() >= _expires))
            {
                _current = RunAllAsync();
            }
            return _current;
        }
    }

    private async Task<BinderHealthResult[]> RunAllAsync()
    {
        var results = await Task.WhenAll(_checks.Select(RunOneAsync)).ConfigureAwait(false);
        lock (_gate) { _expires = time.GetUtcNow() + Ttl; }
        return results;
    }

    private async Task<BinderHealthResult> RunOneAsync(IBinderHealthCheck check)
    {
        BinderHealthResult? last = null;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10), time);
            try
            {
                last = await check.CheckAsync(cts.Token).ConfigureAwait(false);
                if (last.Ok || last.IgnoreFailure) return last;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = new BinderHealthResult(last?.Service ?? check.GetType().Name, false);
            }
            if (attempt < Attempts) await Task.Delay(TimeSpan.FromSeconds(1), time).ConfigureAwait(false);
        }
        return last!;
    }
}
