using System.Diagnostics;
using System.Globalization;
using BinderOrleans.Bench.Engine;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.Bench.ControlPlane;

/// <summary>
/// Issue 23 §1, control plane: two replica processes (<see cref="BenchReplica"/>) in one Orleans cluster through a
/// real redis-server; new sessions offered at a fixed rate, alternately to each replica as a load balancer would, every
/// one for its own repository ref (so each has its own build grain and build); each client reads its stream to
/// <c>ready</c>. Reports the rate admitted and brought to ready, request → ready percentiles, and the CPU each process
/// spent per session.
/// </summary>
internal sealed class ControlPlaneScenario : IAsyncDisposable
{
    private readonly RedisProcess _redis;
    private readonly ServerProcess[] _replicas;
    private readonly string _logDirectory;
    private readonly HttpClient[] _clients;
    private int _run;

    private ControlPlaneScenario(RedisProcess redis, ServerProcess[] replicas, string logDirectory)
    {
        _logDirectory = logDirectory;
        _redis = redis;
        _replicas = replicas;
        _clients = replicas.Select(r => new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue })
        {
            BaseAddress = r.BaseUri,
            Timeout = Timeout.InfiniteTimeSpan,
        }).ToArray();
    }

    public static bool CanRun => RedisProcess.IsInstalled;

    public static async Task<ControlPlaneScenario> StartAsync(CancellationToken cancellationToken)
    {
        var redis = await RedisProcess.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var replicas = new List<ServerProcess>();
        // Thousands of builds keep thousands of logs: in a folder of the row's own, removed after it.
        var logDirectory = Directory.CreateTempSubdirectory("binderorleans-bench-control-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Orleans:Clustering"] = "redis",
                ["Orleans:Redis"] = redis.ConnectionString,
                ["Orleans:AdvertisedIP"] = "127.0.0.1",
                ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
                ["Binder:SessionSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Logging:LogLevel:Default"] = "Warning",
                // Builds are instant: the queue's bound would only measure itself.
                ["Build:ConcurrentLimit"] = "10000",
                ["Build:LogDirectory"] = logDirectory,
            };
            var program = new[] { typeof(BenchReplica).Assembly.Location, BenchReplica.Command };
            // The server's own runtime settings: production, server GC (the bench's runtimeconfig says workstation).
            var production = new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production", ["DOTNET_gcServer"] = "1" };
            for (var i = 0; i < 2; i++)
            {
                replicas.Add(await ServerProcess.StartAsync(settings, TimeSpan.FromSeconds(90), production, program).WaitAsync(cancellationToken).ConfigureAwait(false));
            }
            return new ControlPlaneScenario(redis, [.. replicas], logDirectory);
        }
        catch
        {
            foreach (var r in replicas) await r.DisposeAsync().ConfigureAwait(false);
            await redis.DisposeAsync().ConfigureAwait(false);
            Directory.Delete(logDirectory, recursive: true);
            throw;
        }
    }

    /// <summary><paramref name="sessions"/> new sessions offered at <paramref name="rate"/> per second (open loop).</summary>
    public async Task<ControlPlaneRound> RunAsync(int sessions, int rate, CancellationToken cancellationToken)
    {
        var run = Interlocked.Increment(ref _run);
        var cpuBefore = _replicas.Select(r => ProcessCpu.Of(r.Pid)).ToArray();
        var benchBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var machineBefore = ProcessCpu.MachineBusy();
        var start = Stopwatch.GetTimestamp();
        var tasks = new Task<SessionRun>[sessions];
        for (var i = 0; i < sessions; i++)
        {
            var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
            var client = _clients[i % _clients.Length];
            var spec = $"bench/cp-{run}-{i}";
            tasks[i] = Task.Run(() => SessionAsync(client, spec, cancellationToken), CancellationToken.None);
        }
        var offeredMs = Ms(Stopwatch.GetTimestamp() - start);
        var runs = await Task.WhenAll(tasks).ConfigureAwait(false);
        var wallMs = runs.Max(r => r.EndedAt) is var last and > 0 ? Ms(last - start) : double.NaN;
        var cpu = _replicas.Select((r, i) => ProcessCpu.Of(r.Pid) - cpuBefore[i]).ToArray();
        return new ControlPlaneRound(sessions, rate, offeredMs, wallMs, runs.Count(r => r.Error is null),
            [.. runs.Where(r => r.Error is null).Select(r => r.ReadyMs)], [.. runs.Where(r => r.Error is null).Select(r => r.FirstEventMs)],
            runs.Select(r => r.Error).OfType<string>().Distinct().Take(3).ToList(), cpu,
            (Process.GetCurrentProcess().TotalProcessorTime - benchBefore).TotalSeconds, ProcessCpu.MachineBusy() - machineBefore);
    }

    private static async Task<SessionRun> SessionAsync(HttpClient client, string spec, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        var started = Stopwatch.GetTimestamp();
        long first = 0;
        try
        {
            using var response = await SseClient.OpenAsync(client, $"build/bench/{spec}", cancellationToken: limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return SessionRun.Failed($"HTTP {(int)response.StatusCode}");
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: limit.Token).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                if (first == 0) first = now;
                if (m.Event.Phase == BinderPhase.Failed) return SessionRun.Failed("failed: " + m.Event.Message?.Trim());
                if (m.Event.Phase == BinderPhase.Ready) return new SessionRun(Ms(now - started), Ms(first - started), now, null);
            }
            return SessionRun.Failed("stream ended without ready");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && limit.IsCancellationRequested))
        {
            return SessionRun.Failed(ex is OperationCanceledException ? "no ready within 60 s" : ex.Message);
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        foreach (var r in _replicas) await r.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
        Directory.Delete(_logDirectory, recursive: true);
    }

    private sealed record SessionRun(double ReadyMs, double FirstEventMs, long EndedAt, string? Error)
    {
        public static SessionRun Failed(string error) => new(double.NaN, double.NaN, 0, error);
    }
}

/// <summary>One control-plane round: what was offered, what reached ready and how fast, and the CPU it took.</summary>
internal sealed record ControlPlaneRound(int Sessions, int Rate, double OfferedMs, double WallMs, int Ready, double[] ReadyMs, double[] FirstEventMs,
    IReadOnlyList<string> Errors, double[] ReplicaCpuS, double BenchCpuS, double MachineCpuS)
{
    /// <summary>Sessions brought to ready per second, from the first request to the last ready.</summary>
    public double AchievedPerSecond => Ready / (WallMs / 1000);
}
