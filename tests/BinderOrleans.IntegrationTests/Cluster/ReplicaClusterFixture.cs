using System.Diagnostics;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Cluster;

/// <summary>
/// Two real server processes (replicas) forming one Orleans cluster through a real redis-server, both on the real
/// Docker backend in one sandbox. Each test gets fresh replicas (tests kill them); Redis is shared per class.
/// </summary>
public sealed class ReplicaClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(4);

    private readonly List<GitRepo> _repos = [];

    public RedisProcess Redis { get; private set; } = null!;

    public DockerSandbox Sandbox { get; } = new();

    public async Task InitializeAsync() => Redis = await RedisProcess.StartAsync();

    /// <summary>Starts <paramref name="count"/> replicas of a new cluster (its own cluster id in the shared Redis).</summary>
    /// <param name="extra">Settings for all replicas on top of the fixture's.</param>
    public async Task<ServerProcess[]> StartReplicasAsync(int count = 2, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = ClusterSettings(extra);
        var replicas = new List<ServerProcess>();
        // One after the other: the first creates the membership table, the second joins it.
        for (var i = 0; i < count; i++) replicas.Add(await ServerProcess.StartAsync(settings));
        return [.. replicas];
    }

    /// <summary>The settings of a replica of a new cluster (its own cluster id in the shared Redis), on the real Docker backend.</summary>
    /// <param name="extra">Settings on top of these.</param>
    public Dictionary<string, string?> ClusterSettings(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = Sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Orleans:Clustering"] = "redis";
        settings["Orleans:Redis"] = Redis.ConnectionString;
        // Several silos on one machine talk over loopback, never the machine's own network address.
        settings["Orleans:AdvertisedIP"] = "127.0.0.1";
        settings["Orleans:ClusterId"] = "test-" + Guid.NewGuid().ToString("N")[..8];
        // Every replica signs session ids with the same key, so each resumes the others' sessions.
        settings["Binder:SessionSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        settings["Binder:ReconnectGrace"] = "00:02:00";
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return settings;
    }

    /// <summary>This run's containers with a launch label (the servers it started).</summary>
    public async Task<string[]> LaunchedContainersAsync()
    {
        var output = await DockerCliAsync("ps", "-aq", "--filter", $"label={Sandbox.Label}", "--filter", "label=binderorleans.launch");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static async Task<string> DockerCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return output;
    }

    /// <summary>A repository whose build prints a tick a second for <paramref name="seconds"/> s; removed with the fixture.</summary>
    public GitRepo SlowRepo(int seconds)
    {
        var repo = GitRepo.Ticking(seconds);
        lock (_repos) _repos.Add(repo);
        return repo;
    }

    /// <summary>How many times the replicas' logs say they started building <paramref name="repoUrl"/>.</summary>
    public static int CountBuilds(IEnumerable<ServerProcess> replicas, string repoUrl) =>
        replicas.Sum(r => r.Output.Split('\n').Count(l => l.Contains("Building ", StringComparison.Ordinal) && l.Contains(repoUrl, StringComparison.Ordinal)));

    public async Task DisposeAsync()
    {
        lock (_repos)
        {
            foreach (var repo in _repos) repo.Dispose();
        }
        await Sandbox.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
