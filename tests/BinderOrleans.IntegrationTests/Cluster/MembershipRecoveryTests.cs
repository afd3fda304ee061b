using System.Net;
using BinderOrleans.Server.Cluster;
using BinderOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using StackExchange.Redis;

namespace BinderOrleans.IntegrationTests.Cluster;

/// <summary>
/// The membership table each silo hands Orleans, on Orleans' own Redis table and a real redis-server, when the table in
/// Redis was lost: every live row comes back, the version never goes back, a dead silo stays dead, and a new silo's
/// row is kept. (The whole cluster through a Redis restart: <see cref="RedisRestartTests"/>.)
/// </summary>
public sealed class MembershipRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _clusterId = "recovery-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<ServiceProvider> _silos = [];
    private RedisProcess _redis = null!;
    private ConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisProcess.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString).WaitAsync(Wait);
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos) await silo.DisposeAsync();
        await _admin.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task TableLost_EachSiloGetsBackEveryLiveRow_AtAVersionPastTheOldOne_AndItsHeartbeatWorks()
    {
        var (a, b) = (await JoinAsync(1), await JoinAsync(2));
        var before = await ReadAsync(a);
        await ReadAsync(b);

        await LoseTableAsync();
        // Orleans' heartbeat fails on a missing row; the silo restores the table and beats again.
        await a.Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = a.Address, IAmAliveTime = DateTime.UtcNow }).WaitAsync(Wait);
        var afterA = await ReadAsync(a);
        var afterB = await ReadAsync(b);

        Assert.True(afterA.Version.Version > before.Version.Version, $"{afterA.Version} after {before.Version}");
        Assert.Equal(Statuses(before), Statuses(afterA));
        Assert.Equal(Statuses(before), Statuses(afterB));
        await b.Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = b.Address, IAmAliveTime = DateTime.UtcNow }).WaitAsync(Wait);
    }

    [Fact]
    public async Task TableRecreatedByANewSilo_IsRaisedPastWhatTheOthersSaw_AndKeepsTheNewRow()
    {
        var (a, b) = (await JoinAsync(1), await JoinAsync(2));
        var before = await ReadAsync(a);
        await ReadAsync(b);

        await LoseTableAsync();
        // A silo started meanwhile finds no table, creates one from version 0 and joins it alone.
        var c = await JoinAsync(3);
        var afterA = await ReadAsync(a);
        var afterC = await ReadAsync(c);

        Assert.True(afterA.Version.Version > before.Version.Version, $"{afterA.Version} after {before.Version}");
        AssertRows(afterA, a, b, c);
        Assert.All(Statuses(afterC).Values, s => Assert.Equal(SiloStatus.Active, s));
        Assert.Equal(3, afterC.Members.Count);
    }

    [Fact]
    public async Task TableLost_ADeadSiloStaysOut_AndAnotherSilosRowKeepsItsLastHeartbeat_SoProbesStillDecide()
    {
        var (a, b, dead) = (await JoinAsync(1), await JoinAsync(2), await JoinAsync(3));
        var table = await ReadAsync(a);
        var row = table.TryGet(dead.Address)!;
        row.Item1.Status = SiloStatus.Dead;
        Assert.True(await a.Table.UpdateRowAsync(row.Item1, row.Item2, table.Version.Next()).WaitAsync(Wait));
        var before = await ReadAsync(a);
        var bHeartbeat = before.TryGet(b.Address)!.Item1.IAmAliveTime;

        await LoseTableAsync();
        var after = await ReadAsync(a);

        AssertRows(after, a, b);
        Assert.Equal(bHeartbeat, after.TryGet(b.Address)!.Item1.IAmAliveTime);
        Assert.True(after.TryGet(a.Address)!.Item1.IAmAliveTime > bHeartbeat);
    }

    [Fact]
    public async Task OwnRowPutBackFromAnOlderView_IsMovedForwardByItsSilo()
    {
        var a = await JoinAsync(1);
        var b = await JoinAsync(2, SiloStatus.Joining);
        await ReadAsync(a);
        // b becomes active after a last read the table: a's view has b joining.
        var table = await ReadAsync(b);
        var own = table.TryGet(b.Address)!;
        own.Item1.Status = SiloStatus.Active;
        Assert.True(await b.Table.UpdateRowAsync(own.Item1, own.Item2, table.Version.Next()).WaitAsync(Wait));

        await LoseTableAsync();
        var fromA = await ReadAsync(a);
        Assert.Equal(SiloStatus.Joining, fromA.TryGet(b.Address)!.Item1.Status);
        var fromB = await ReadAsync(b);

        Assert.Equal(SiloStatus.Active, fromB.TryGet(b.Address)!.Item1.Status);
        Assert.Equal(SiloStatus.Active, (await ReadAsync(a)).TryGet(b.Address)!.Item1.Status);
    }

    private sealed record Silo(SiloAddress Address, IMembershipTable Table);

    /// <summary>A silo's membership table as the server registers it, and the silo's row written the way Orleans joins.</summary>
    private async Task<Silo> JoinAsync(int n, SiloStatus status = SiloStatus.Active)
    {
        var address = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 20000 + n), n);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILocalSiloDetails>(new BinderOrleans.Testing.Fakes.FixedSiloDetails(address, _clusterId));
        services.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (_clusterId, "binderorleans"));
        new ServicesOnly(services).UseRedisClustering(_redis.ConnectionString);
        services.AddRedisMembershipRecovery();
        var provider = services.BuildServiceProvider();
        _silos.Add(provider);
        var silo = new Silo(address, provider.GetRequiredService<IMembershipTable>());
        await silo.Table.InitializeMembershipTableAsync(true).WaitAsync(Wait);
        var table = await silo.Table.ReadAllAsync().WaitAsync(Wait);
        var entry = new MembershipEntry
        {
            SiloAddress = address, Status = status, HostName = "localhost", SiloName = $"silo-{n}", SuspectTimes = [],
            StartTime = DateTime.UtcNow, IAmAliveTime = DateTime.UtcNow,
        };
        Assert.True(await silo.Table.InsertRowAsync(entry, table.Version.Next()).WaitAsync(Wait));
        return silo;
    }

    private static Task<MembershipTableData> ReadAsync(Silo silo) => silo.Table.ReadAllAsync().WaitAsync(Wait);

    private static void AssertRows(MembershipTableData table, params Silo[] silos) =>
        Assert.True(table.Members.Select(m => m.Item1.SiloAddress).ToHashSet().SetEquals(silos.Select(s => s.Address)), table.ToString());

    private static Dictionary<SiloAddress, SiloStatus> Statuses(MembershipTableData table) => table.Members.ToDictionary(m => m.Item1.SiloAddress, m => m.Item1.Status);

    /// <summary>What a Redis restart without persistence does to the table.</summary>
    private async Task LoseTableAsync() =>
        Assert.True(await _admin.GetDatabase().KeyDeleteAsync($"binderorleans/members/{_clusterId}").WaitAsync(Wait));

    private sealed class ServicesOnly(IServiceCollection services) : ISiloBuilder
    {
        public IServiceCollection Services => services;
        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }
}
