using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Security;

/// <summary>
/// BinderHub's per-IP fixed window: <c>limit</c> requests per <c>period</c>. Counters keep going below zero so
/// abusers stay visible; windows that ended are purged as they are met.
/// </summary>
public sealed class IpRateLimiter(IOptions<SecurityOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _lastPurge;

    public int Limit => options.Value.RateLimit;

    /// <summary>Counts one request from <paramref name="ip"/>.</summary>
    public RateLimitDecision Increment(string ip)
    {
        var now = time.GetUtcNow();
        PurgeOccasionally(now);
        var window = _windows.AddOrUpdate(ip,
            _ => new Window(now + options.Value.RateLimitPeriod, Limit - 1),
            (_, w) => w.Reset <= now ? new Window(now + options.Value.RateLimitPeriod, Limit - 1) : w with { Remaining = w.Remaining - 1 });
        return new RateLimitDecision(window.Remaining >= 0, Math.Max(0, window.Remaining), Limit, window.Reset);
    }

    private void PurgeOccasionally(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref _lastPurge);
        if (now.ToUnixTimeSeconds() - last < 600 || Interlocked.CompareExchange(ref _lastPurge, now.ToUnixTimeSeconds(), last) != last) return;
        foreach (var (ip, w) in _windows)
        {
            if (w.Reset <= now) _windows.TryRemove(new KeyValuePair<string, Window>(ip, w));
        }
    }

    private sealed record Window(DateTimeOffset Reset, int Remaining);
}

/// <param name="Allowed">Under the limit.</param>
/// <param name="Remaining">Requests left in the window (x-ratelimit-remaining).</param>
/// <param name="Limit">x-ratelimit-limit.</param>
/// <param name="Reset">When the window ends (x-ratelimit-reset, epoch seconds).</param>
public sealed record RateLimitDecision(bool Allowed, int Remaining, int Limit, DateTimeOffset Reset);
