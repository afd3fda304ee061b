using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Orleans.Runtime;
using StackExchange.Redis;

namespace BinderOrleans.Server.Cluster;

/// <summary>
/// Orleans' Redis membership table, made to outlive the Redis that holds it. A Redis that restarts without its data
/// loses the table; Orleans' table then fails every read ("version is missing") and every heartbeat, and even a table
/// created afresh would kill the silos: a silo that reads a table newer than its view without its own row takes itself
/// for dead, and one that reads a table older than its view ignores it (so it never sees a new silo join).
/// </summary>
/// <remarks>
/// So this silo hands Orleans only tables that are whole. A table is whole when its version is at least the highest this
/// silo has seen and it holds every row this silo knew that was not dead (Orleans never deletes such a row; only data
/// loss does), with this silo's own row no further back than this silo last wrote it. Otherwise the silo restores it
/// from its view: it lifts the version past what it has seen and writes back the missing rows, one conditional write
/// at a time, as any silo may; silos that restore at once only add rows and raise the version, so they agree. A silo
/// that died meanwhile comes back with its last row and is voted out again by the probes; a silo declared dead keeps
/// its dead row and still stops. The silo checks as soon as its connection to Redis is back, not only when Orleans next
/// reads the table.
/// </remarks>
internal sealed partial class RecoveringMembershipTable : IMembershipTable, IDisposable
{
    // Only ever raises the version (creating the table if it is gone): concurrent restorers cannot undo each other.
    private const string LiftVersionScript = """
        local current = redis.call('HGET', KEYS[1], 'Version')
        if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'Version', ARGV[1])
        return 1
        """;

    private readonly IMembershipTable _inner;
    private readonly RedisMembershipConnection _connection;
    private readonly RedisKey _key;
    private readonly SiloAddress _self;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<RecoveringMembershipTable> _logger;
    private readonly SemaphoreSlim _restoring = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Dictionary<SiloAddress, MembershipEntry> _known = [];
    private int _highestVersion = -1;
    private SiloStatus _ownStatus = SiloStatus.None;
    private bool _initialized;

    public RecoveringMembershipTable(IMembershipTable inner, RedisMembershipConnection connection, IOptions<RedisClusteringOptions> redisOptions,
        IOptions<ClusterOptions> clusterOptions, ILocalSiloDetails silo, IServiceProvider services, TimeProvider time, ILogger<RecoveringMembershipTable> logger)
    {
        _inner = inner;
        _connection = connection;
        _key = redisOptions.Value.CreateRedisKey(clusterOptions.Value);
        _self = silo.SiloAddress;
        _services = services;
        _time = time;
        _logger = logger;
        _connection.Restored += OnConnectionRestored;
    }

    public async Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken = default)
    {
        await _inner.InitializeMembershipTableAsync(tryInitTableVersion, cancellationToken).ConfigureAwait(false);
        lock (_gate) _initialized = true;
    }

    public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var floor = Floor();
        var table = await TryReadAllAsync(cancellationToken).ConfigureAwait(false);
        if (table is not null && table.Version.Version >= floor && MissingRow(table) is null) return Remember(table);
        return await RestoreAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _inner.ReadRowAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisClusteringException) when (!cancellationToken.IsCancellationRequested)
        {
            await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            return await _inner.ReadRowAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        var written = await _inner.InsertRowAsync(entry, tableVersion, cancellationToken).ConfigureAwait(false);
        if (written) Wrote(entry, tableVersion);
        return written;
    }

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default)
    {
        var written = await _inner.UpdateRowAsync(entry, etag, tableVersion, cancellationToken).ConfigureAwait(false);
        if (written) Wrote(entry, tableVersion);
        return written;
    }

    public async Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default)
    {
        try
        {
            await _inner.UpdateIAmAliveAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisServerException or RedisClusteringException && !cancellationToken.IsCancellationRequested)
        {
            // Orleans' heartbeat script fails on a missing row ("bad argument #1 to 'find'"): restore it, then beat again.
            LogHeartbeatFailed(ex);
            await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            await _inner.UpdateIAmAliveAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default)
    {
        try
        {
            await _inner.CleanupDefunctSiloEntriesAsync(beforeDate, cancellationToken).ConfigureAwait(false);
        }
        catch (RedisClusteringException) when (!cancellationToken.IsCancellationRequested)
        {
            await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            await _inner.CleanupDefunctSiloEntriesAsync(beforeDate, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        await _inner.DeleteMembershipTableEntriesAsync(clusterId, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _known = [];
            _highestVersion = -1;
        }
    }

    // The interface's older members, which Orleans no longer calls.
    public Task InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion);

    public Task DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId);

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate);

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key);

    public Task<MembershipTableData> ReadAll() => ReadAllAsync();

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion);

    public Task UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry);

    /// <summary>Reads the table until it is whole, putting back what is missing one step at a time.</summary>
    private async Task<MembershipTableData> RestoreAsync(CancellationToken cancellationToken)
    {
        await _restoring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int steps;
            lock (_gate) steps = 8 + 2 * _known.Count;
            for (var step = 0; step < steps; step++)
            {
                var floor = Floor();
                var table = await TryReadAllAsync(cancellationToken).ConfigureAwait(false);
                if (table is null || table.Version.Version < floor)
                {
                    LogTableBehind(table?.Version.Version, floor);
                    await LiftVersionAsync(floor + 1).ConfigureAwait(false);
                    continue;
                }
                if (MissingRow(table) is not { } row) return Remember(table);

                var present = table.TryGet(row.SiloAddress) is not null;
                var next = table.Version.Next();
                var written = present
                    ? await _inner.UpdateRowAsync(row, table.Version.VersionEtag, next, cancellationToken).ConfigureAwait(false)
                    : await _inner.InsertRowAsync(row, next, cancellationToken).ConfigureAwait(false);
                if (written)
                {
                    LogRowRestored(row.SiloAddress, row.Status, next.Version);
                    Wrote(row, next);
                }
                else
                {
                    // Another silo wrote first (restoring too, most likely): read again after a moment.
                    await Task.Delay(TimeSpan.FromMilliseconds(20 + Random.Shared.Next(80)), _time, cancellationToken).ConfigureAwait(false);
                }
            }
            throw new RedisClusteringException($"The membership table in Redis could not be restored in {steps} steps.");
        }
        finally
        {
            _restoring.Release();
        }
    }

    /// <summary>A row of this silo's view that <paramref name="table"/> lacks (a copy, ready to write back); null if none.</summary>
    private MembershipEntry? MissingRow(MembershipTableData table)
    {
        lock (_gate)
        {
            foreach (var (silo, known) in _known)
            {
                if (known.Status == SiloStatus.Dead) continue;
                var current = table.TryGet(silo)?.Item1;
                if (current is null) return Copy(known);
                // Statuses only move forward; our own row behind what we wrote came from another silo's older view.
                if (silo.Equals(_self) && current.Status < _ownStatus) return Copy(known);
            }
        }
        return null;
    }

    private MembershipEntry Copy(MembershipEntry entry)
    {
        var copy = new MembershipEntry
        {
            SiloAddress = entry.SiloAddress,
            Status = entry.Status,
            SuspectTimes = entry.SuspectTimes is null ? null : [.. entry.SuspectTimes],
            ProxyPort = entry.ProxyPort,
            HostName = entry.HostName,
            SiloName = entry.SiloName,
            RoleName = entry.RoleName,
            UpdateZone = entry.UpdateZone,
            FaultZone = entry.FaultZone,
            StartTime = entry.StartTime,
            IAmAliveTime = entry.IAmAliveTime,
        };
        // This silo is alive: say so; the others' rows keep their last heartbeat, so a dead one is voted out as before.
        if (entry.SiloAddress.Equals(_self)) copy.IAmAliveTime = _time.GetUtcNow().UtcDateTime;
        return copy;
    }

    private async Task<MembershipTableData?> TryReadAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _inner.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisClusteringException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Orleans' table throws this when its version row is gone: the table is lost.
            LogTableLost(ex.Message);
            return null;
        }
    }

    private async Task LiftVersionAsync(int version)
    {
        var database = (_connection.Multiplexer ?? throw new InvalidOperationException("The membership table is not initialized.")).GetDatabase();
        await database.ScriptEvaluateAsync(LiftVersionScript, [_key], [version], CommandFlags.DemandMaster).ConfigureAwait(false);
    }

    /// <summary>The highest table version this silo has seen: in its reads and writes, and in the view Orleans holds (gossip).</summary>
    private int Floor()
    {
        var snapshot = _services.GetService<IClusterMembershipService>()?.CurrentSnapshot.Version.Value ?? -1;
        lock (_gate) return (int)Math.Clamp(Math.Max(_highestVersion, snapshot), -1, int.MaxValue);
    }

    private MembershipTableData Remember(MembershipTableData table)
    {
        lock (_gate)
        {
            _highestVersion = Math.Max(_highestVersion, table.Version.Version);
            _known = table.Members.ToDictionary(m => m.Item1.SiloAddress, m => m.Item1);
        }
        return table;
    }

    private void Wrote(MembershipEntry entry, TableVersion version)
    {
        lock (_gate)
        {
            _highestVersion = Math.Max(_highestVersion, version.Version);
            _known[entry.SiloAddress] = Copy(entry);
            if (entry.SiloAddress.Equals(_self)) _ownStatus = entry.Status;
        }
    }

    private void OnConnectionRestored()
    {
        lock (_gate)
        {
            if (!_initialized) return;
        }
        _ = CheckAfterReconnectAsync();
    }

    private async Task CheckAfterReconnectAsync()
    {
        try
        {
            var table = await ReadAllAsync(_stopping.Token).ConfigureAwait(false);
            LogCheckedAfterReconnect(table.Version.Version, table.Members.Count);
            // Orleans' own view follows now rather than at its next periodic refresh.
            if (_services.GetService<IClusterMembershipService>() is { } membership) await membership.Refresh(cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            // Orleans' own refresh tries again on its next round.
            LogCheckAfterReconnectFailed(ex);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _connection.Restored -= OnConnectionRestored;
        // Cancelled, not disposed: a check already under way may still read its token.
        _stopping.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table in Redis is gone ({Reason}); restoring it from this silo's view")]
    private partial void LogTableLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table in Redis is at version {Version}, behind the {Floor} this silo has seen; raising it")]
    private partial void LogTableBehind(int? version, int floor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Restored the membership row of {Silo} ({Status}) at table version {Version}")]
    private partial void LogRowRestored(SiloAddress silo, SiloStatus status, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Membership heartbeat failed; checking the table and beating again")]
    private partial void LogHeartbeatFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: the membership table is whole at version {Version} with {Rows} rows")]
    private partial void LogCheckedAfterReconnect(int version, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the membership table after Redis came back failed; Orleans' next refresh tries again")]
    private partial void LogCheckAfterReconnectFailed(Exception exception);
}
