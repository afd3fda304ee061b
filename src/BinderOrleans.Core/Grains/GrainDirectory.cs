using System.Collections.Concurrent;

namespace BinderOrleans.Core.Grains;

/// <summary>
/// Get-or-activate by key with a single activation per key, and deactivation once a grain's work is done and
/// its linger time (chosen per grain, once done) has passed. Nothing else: this is not a distributed runtime (across replicas, Kubernetes is the lock).
/// </summary>
public sealed class GrainDirectory<TGrain> where TGrain : class, IGrain
{
    private readonly ConcurrentDictionary<string, Lazy<TGrain>> _active = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Func<TGrain, TimeSpan> _linger;

    public GrainDirectory(TimeProvider time, TimeSpan linger)
        : this(time, _ => linger)
    {
    }

    public GrainDirectory(TimeProvider time, Func<TGrain, TimeSpan> linger)
    {
        _time = time;
        _linger = linger;
    }

    public int Count => _active.Count;

    /// <summary>The live activation for <paramref name="key"/>, or null.</summary>
    public TGrain? Find(string key) => _active.TryGetValue(key, out var lazy) ? lazy.Value : null;

    /// <summary>Returns the activation for <paramref name="key"/>, creating it with <paramref name="activate"/> if there is none.</summary>
    /// <param name="created">True when this call created the activation.</param>
    public TGrain GetOrActivate(string key, Func<string, TGrain> activate, out bool created)
    {
        var mine = new Lazy<TGrain>(() => activate(key), LazyThreadSafetyMode.ExecutionAndPublication);
        var lazy = _active.GetOrAdd(key, mine);
        created = ReferenceEquals(lazy, mine);
        var grain = lazy.Value;
        if (created)
        {
            _ = DeactivateWhenDoneAsync(key, lazy);
        }
        return grain;
    }

    public TGrain GetOrActivate(string key, Func<string, TGrain> activate) => GetOrActivate(key, activate, out _);

    private async Task DeactivateWhenDoneAsync(string key, Lazy<TGrain> lazy)
    {
        try
        {
            await lazy.Value.Completion.ConfigureAwait(false);
        }
        catch
        {
            // A faulted grain is deactivated like a finished one; the grain reported the fault to its watchers.
        }
        var linger = _linger(lazy.Value);
        if (linger > TimeSpan.Zero)
        {
            await Task.Delay(linger, _time).ConfigureAwait(false);
        }
        _active.TryRemove(new KeyValuePair<string, Lazy<TGrain>>(key, lazy));
    }
}
