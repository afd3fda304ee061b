using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers;

/// <summary>
/// Concurrent resolutions of one spec of one provider share one lookup against the host (a workshop link opened by a
/// whole class asks the host once, not once per student), and a resolved ref is reused for
/// <c>Providers:RefCacheSeconds</c>. A failure is shared by those waiting for it but never kept: the next request asks
/// again. Per process: each replica asks the host at most once per spec per window.
/// </summary>
public sealed class ResolveCoalescer
{
    private readonly ConcurrentDictionary<(string Provider, string Spec, string Scope), Lookup> _lookups = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _freshFor;

    public ResolveCoalescer(IOptions<RepoProvidersOptions> options, TimeProvider time)
    {
        _time = time;
        _freshFor = TimeSpan.FromSeconds(options.Value.RefCacheSeconds);
    }

    /// <summary>Lookups in flight or fresh (for tests and metrics).</summary>
    internal int Count => _lookups.Count;

    /// <summary>
    /// The provider's answer for <paramref name="spec"/>. The lookup itself is not cancelled when this caller leaves
    /// (others may be waiting for it); it is bounded by the provider's own timeouts.
    /// </summary>
    public Task<ResolveResult> ResolveAsync(IRepoProvider provider, string spec, CancellationToken cancellationToken) =>
        ResolveAsync(provider, spec, "", provider.ResolveAsync, cancellationToken);

    /// <summary>
    /// <paramref name="lookup"/>'s answer for <paramref name="spec"/>, shared only by callers of the same
    /// <paramref name="scope"/> ("" is the provider's own, anonymous answer; a user's own answer has a scope of its own).
    /// </summary>
    public Task<ResolveResult> ResolveAsync(IRepoProvider provider, string spec, string scope,
        Func<string, CancellationToken, Task<ResolveResult>> lookup, CancellationToken cancellationToken)
    {
        var key = (provider.Id, spec, scope);
        while (true)
        {
            if (_lookups.TryGetValue(key, out var current) && current.IsUsable(_time, _freshFor))
            {
                return current.Result.WaitAsync(cancellationToken);
            }
            var next = new Lookup();
            var claimed = current is null ? _lookups.TryAdd(key, next) : _lookups.TryUpdate(key, next, current);
            if (!claimed) continue;
            _ = RunAsync(lookup, spec, key, next);
            return next.Result.WaitAsync(cancellationToken);
        }
    }

    private async Task RunAsync(Func<string, CancellationToken, Task<ResolveResult>> resolve, string spec, (string, string, string) key, Lookup lookup)
    {
        try
        {
            var result = await resolve(spec, CancellationToken.None).ConfigureAwait(false);
            lookup.Complete(result, _time.GetTimestamp());
            if (result is ResolveResult.Resolved && _freshFor > TimeSpan.Zero)
            {
                await Task.Delay(_freshFor, _time).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            lookup.Fail(ex);
        }
        _lookups.TryRemove(KeyValuePair.Create(key, lookup));
    }

    private sealed class Lookup
    {
        private readonly TaskCompletionSource<ResolveResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _completedAt = -1;

        public Task<ResolveResult> Result => _result.Task;

        /// <summary>In flight, or resolved within the freshness window.</summary>
        public bool IsUsable(TimeProvider time, TimeSpan freshFor)
        {
            var task = _result.Task;
            if (!task.IsCompleted) return true;
            return task.IsCompletedSuccessfully && task.Result is ResolveResult.Resolved
                && time.GetElapsedTime(Interlocked.Read(ref _completedAt)) < freshFor;
        }

        public void Complete(ResolveResult result, long at)
        {
            Interlocked.Exchange(ref _completedAt, at);
            _result.TrySetResult(result);
        }

        public void Fail(Exception ex)
        {
            Interlocked.Exchange(ref _completedAt, 0);
            _result.TrySetException(ex);
        }
    }
}
