using Orleans.Clustering.Redis;
using StackExchange.Redis;

namespace BinderOrleans.Server.Cluster;

/// <summary>
/// The one connection to the membership Redis: Orleans' Redis membership table uses it (as a shared multiplexer), and
/// <see cref="RecoveringMembershipTable"/> uses it to restore the table and learns from it when Redis is back after a
/// restart.
/// </summary>
internal sealed class RedisMembershipConnection : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    /// <summary>Raised when the connection to Redis is back after it was lost (Redis restarted, or the network).</summary>
    public event Action? Restored;

    /// <summary>The connection, once <see cref="ConnectAsync"/> made it.</summary>
    public IConnectionMultiplexer? Multiplexer => Volatile.Read(ref _multiplexer);

    /// <summary>For <see cref="RedisClusteringOptions.CreateMultiplexer"/>: one connection, shared, disposed here.</summary>
    public async Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> ConnectAsync(RedisClusteringOptions options)
    {
        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_multiplexer is null)
            {
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(options.ConfigurationOptions!).ConfigureAwait(false);
                multiplexer.ConnectionRestored += (_, e) =>
                {
                    if (e.ConnectionType == ConnectionType.Interactive) Restored?.Invoke();
                };
                Volatile.Write(ref _multiplexer, multiplexer);
            }
            return (_multiplexer, true);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _multiplexer, null)?.Dispose();
        _connecting.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _multiplexer, null) is { } multiplexer) await multiplexer.DisposeAsync().ConfigureAwait(false);
        _connecting.Dispose();
    }
}
