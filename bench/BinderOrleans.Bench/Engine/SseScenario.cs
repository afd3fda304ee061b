using System.Diagnostics;
using System.Globalization;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.Bench.Engine;

/// <summary>
/// Issue 12: many SSE clients on one real engine build that prints a line every ~5 ms. The server runs as a process of
/// its own (<see cref="ServerProcess"/>, in production mode) in API-only mode, so clients ask <c>?build_only=true</c> and no Jupyter server
/// starts; its resident set is sampled alone. Every client stamps each <c>line k</c> event as it arrives.
/// </summary>
internal sealed class SseScenario : IAsyncDisposable
{
    private const string BaseImage = "binderorleans-base:bookworm";
    private const string BuildCountMetric = "binderhub_build_time_seconds_count";
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(50);

    private readonly DockerSandbox _sandbox;
    private readonly GitRepo _repo;
    private readonly GitRepo _second;
    private readonly ServerProcess[] _servers;
    private readonly RedisProcess? _redis;
    private readonly string _serverGc;
    private readonly HttpClient[] _clients;

    private SseScenario(DockerSandbox sandbox, GitRepo repo, GitRepo second, ServerProcess[] servers, RedisProcess? redis, string serverGc)
    {
        _sandbox = sandbox;
        _repo = repo;
        _second = second;
        _servers = servers;
        _redis = redis;
        _serverGc = serverGc;
        _clients = [.. servers.Select(server => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false })
        {
            BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan,
        })];
    }

    /// <summary>Server processes (replicas) the clients are spread over.</summary>
    public int Replicas => _servers.Length;

    /// <param name="environment">Variables for the server process (<c>DOTNET_gcServer</c>, <c>DOTNET_GCgen0size</c>, …).</param>
    /// <param name="replicas">Server processes; more than one form a cluster through a redis-server on 127.0.0.1.</param>
    public static async Task<SseScenario> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, int replicas = 1)
    {
        var sandbox = new DockerSandbox();
        GitRepo? repo = null, second = null;
        RedisProcess? redis = null;
        var servers = new List<ServerProcess>();
        try
        {
            repo = GitRepo.Create(Dockerfile(1));
            second = GitRepo.Create(Dockerfile(1));
            // The test defaults come with it: no per-IP rate limit (every client is 127.0.0.1), streams end at ready.
            var settings = new Dictionary<string, string?>(sandbox.Settings(), StringComparer.OrdinalIgnoreCase)
            {
                ["Binder:EnableApiOnlyMode"] = "true",
                ["Providers:Git:AllowedSchemes:0"] = "file",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            if (replicas > 1)
            {
                redis = await RedisProcess.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
                settings["Orleans:Clustering"] = "redis";
                settings["Orleans:Redis"] = redis.ConnectionString;
                settings["Orleans:AdvertisedIP"] = "127.0.0.1";
                settings["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8];
                settings["Binder:SessionSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            }
            var production = new Dictionary<string, string>(environment) { ["DOTNET_ENVIRONMENT"] = "Production" };
            // One after the other: the first creates the membership table, the next ones join it.
            for (var i = 0; i < replicas; i++)
            {
                servers.Add(await ServerProcess.StartAsync(settings, TimeSpan.FromSeconds(90), production).WaitAsync(cancellationToken).ConfigureAwait(false));
            }
            var gc = environment.TryGetValue("DOTNET_gcServer", out var v) ? (v == "1" ? "server" : "workstation") : "server (runtimeconfig)";
            var extra = environment.Where(e => e.Key != "DOTNET_gcServer").Select(e => $"{e.Key}={e.Value}");
            return new SseScenario(sandbox, repo, second, [.. servers], redis, string.Join(", ", [gc, .. extra]));
        }
        catch
        {
            foreach (var server in servers) await server.DisposeAsync().ConfigureAwait(false);
            if (redis is not null) await redis.DisposeAsync().ConfigureAwait(false);
            repo?.Dispose();
            second?.Dispose();
            await sandbox.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A Dockerfile whose RUN step is new every time (a fresh GUID) and prints <c>line 1 {t}</c> … <c>line n {t}</c>, each
    /// with the time it was printed (ns since the epoch, the machine's clock), so a client can tell each line's latency.
    /// </summary>
    private static Dictionary<string, string> Dockerfile(int lines) => new()
    {
        ["Dockerfile"] = $"""
            FROM {BaseImage}
            RUN echo "{Guid.NewGuid():N}" && for i in $(seq 1 {lines}); do echo "line $i $(date +%s%N)"; sleep 0.005; done
            USER jovyan
            """,
    };

    /// <summary>A small build with a few clients, not measured: JIT, pools and the engine's first build of the base.</summary>
    public Task<SseRound> WarmUpAsync(CancellationToken cancellationToken) => RunAsync(5, 20, cancellationToken);

    /// <summary>
    /// <paramref name="clients"/> requests for one new commit at the same moment, spread over the replicas; each reads its
    /// stream to the end. With <paramref name="secondLines"/>, one more client asks for a second build (another repository)
    /// once the first build's lines flow, and its per-line latency is reported.
    /// </summary>
    public async Task<SseRound> RunAsync(int clients, int lines, CancellationToken cancellationToken, int secondLines = 0)
    {
        var head = _repo.Commit(Dockerfile(lines));
        var path = $"build/git/{Uri.EscapeDataString(_repo.Url)}/{head}?build_only=true";
        var buildsBefore = await BuildsAsync(cancellationToken).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(30.0 * lines * Math.Max(1, clients / 1000)));
        var baselines = _servers.Select(server => RssSampler.Read(server.Pid) ?? 0).ToArray();
        var serverCpu = _servers.Sum(server => ProcessCpu.Of(server.Pid));
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var machineCpu = ProcessCpu.MachineBusy();
        var clock = new WallClock();
        var printed = new long[lines];
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        ClientRun[] runs;
        long[] peaks;
        int samples;
        Task<SecondRun>? second = null;
        var samplers = _servers.Select(server => new RssSampler(server.Pid, SampleEvery)).ToArray();
        try
        {
            var reads = Enumerable.Range(0, clients)
                .Select(i => Task.Run(() => ReadAsync(_clients[i % _clients.Length], path, lines, printed, flowing, limit.Token), CancellationToken.None)).ToArray();
            if (secondLines > 0)
            {
                second = Task.Run(async () =>
                {
                    await flowing.Task.WaitAsync(limit.Token).ConfigureAwait(false);
                    return await SecondAsync(secondLines, limit.Token).ConfigureAwait(false);
                }, CancellationToken.None);
            }
            runs = await Task.WhenAll(reads).ConfigureAwait(false);
        }
        finally
        {
            peaks = samplers.Select(sampler => sampler.Peak).ToArray();
            samples = samplers.Min(sampler => sampler.Samples);
            foreach (var sampler in samplers) await sampler.DisposeAsync().ConfigureAwait(false);
        }
        var duration = Stopwatch.GetElapsedTime(start);
        var cpu = new SseCpu(_servers.Sum(server => ProcessCpu.Of(server.Pid)) - serverCpu, (Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalSeconds,
            ProcessCpu.MachineBusy() - machineCpu);
        var secondRun = second is null ? null : await second.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // The build's histogram is observed as it ends, which can be a moment after the last client's ready.
        var builds = await BuildsAsync(cancellationToken).ConfigureAwait(false) - buildsBefore - (secondRun is null ? 0 : 1);
        for (var i = 0; i < 25 && builds < 1; i++)
        {
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            builds = await BuildsAsync(cancellationToken).ConfigureAwait(false) - buildsBefore - (secondRun is null ? 0 : 1);
        }

        var spreads = new List<double>(lines);
        var latencies = new List<double>();
        long firstLine = long.MaxValue, lastLine = 0;
        for (var k = 0; k < lines; k++)
        {
            long min = long.MaxValue, max = 0;
            for (var c = 0; c < runs.Length; c++)
            {
                var t = runs[c].Arrivals[k];
                if (t == 0) continue;
                min = Math.Min(min, t);
                max = Math.Max(max, t);
                // Every 10th client's latency: enough for the percentiles, and bounded memory at 5 000 clients.
                if (c % 10 == 0 && printed[k] > 0) latencies.Add(clock.MsSincePrinted(t, printed[k]));
            }
            if (max == 0) continue;
            spreads.Add(Ms(max - min));
            if (k == 0) firstLine = min;
            if (k == lines - 1) lastLine = max;
        }
        var firstEventMax = runs.Max(r => r.FirstEvent == 0 ? double.NaN : Ms(r.FirstEvent - start));
        return new SseRound(clients, lines, builds, runs.Count(r => r.Error is null), runs.Select(r => r.Error).OfType<string>().Distinct().Take(3).ToList(),
            baselines, [.. peaks.Zip(baselines, Math.Max)], samples, spreads, latencies, firstEventMax, lastLine > firstLine ? Ms(lastLine - firstLine) : double.NaN,
            duration.TotalMilliseconds, cpu, _serverGc, secondRun);
    }

    /// <summary>One client alone on a build of the second repository: each line's latency (its arrival minus its print time).</summary>
    public async Task<SecondRun> SecondAsync(int lines, CancellationToken cancellationToken)
    {
        var head = _second.Commit(Dockerfile(lines));
        var path = $"build/git/{Uri.EscapeDataString(_second.Url)}/{head}?build_only=true";
        var clock = new WallClock();
        var printed = new long[lines];
        var run = await ReadAsync(_clients[0], path, lines, printed, null, cancellationToken).ConfigureAwait(false);
        var latencies = new List<double>(lines);
        for (var k = 0; k < lines; k++)
        {
            if (run.Arrivals[k] != 0 && printed[k] > 0) latencies.Add(clock.MsSincePrinted(run.Arrivals[k], printed[k]));
        }
        return new SecondRun(lines, run.Error, latencies);
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>One client: every <c>line k</c> must come once, in order, and the stream must end with the build-only <c>ready</c>.</summary>
    /// <param name="printed">Where each line's print time goes (ns since the epoch; every client sees the same).</param>
    /// <param name="flowing">Set once a line has arrived (the build is printing), or null.</param>
    private static async Task<ClientRun> ReadAsync(HttpClient client, string path, int lines, long[] printed, TaskCompletionSource? flowing,
        CancellationToken cancellationToken)
    {
        var arrivals = new long[lines];
        long first = 0;
        var next = 1;
        string? error = null;
        BinderEvent? last = null;
        try
        {
            using var response = await SseClient.OpenAsync(client, path, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return new ClientRun(arrivals, 0, $"HTTP {(int)response.StatusCode}");
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                if (first == 0) first = now;
                if (last?.Phase == BinderPhase.Ready) error ??= $"an event after ready: {m.Data}";
                last = m.Event;
                if (m.Event.Phase == BinderPhase.Failed) error ??= "failed: " + m.Event.Message?.Trim();
                if (m.Event.Phase != BinderPhase.Building || ParseLine(m.Event.Message) is not var (k, t)) continue;
                if (k == next && k <= lines)
                {
                    arrivals[k - 1] = now;
                    if (printed[k - 1] == 0) printed[k - 1] = t;
                    next++;
                    flowing?.TrySetResult();
                }
                else
                {
                    error ??= k < next ? $"line {k} again after line {next - 1}" : $"line {k} after line {next - 1}";
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            error ??= ex is OperationCanceledException ? $"timed out after line {next - 1}" : ex.Message;
        }
        if (error is null && next != lines + 1) error = $"stream ended after line {next - 1} of {lines}";
        if (error is null && !(last?.Phase == BinderPhase.Ready && last.Message?.StartsWith("Done! ", StringComparison.Ordinal) == true))
        {
            error = $"stream did not end with the build-only ready (last: {last?.Phase} {last?.Message?.Trim()})";
        }
        return new ClientRun(arrivals, first, error);
    }

    /// <summary><c>line k t</c>: the line's number and its print time (0 when the line has none).</summary>
    private static (int Line, long Printed)? ParseLine(string? message)
    {
        if (message is null || !message.StartsWith("line ", StringComparison.Ordinal)) return null;
        var rest = message.AsSpan(5).TrimEnd('\n');
        var space = rest.IndexOf(' ');
        var number = space < 0 ? rest : rest[..space];
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var k)) return null;
        var t = space >= 0 && long.TryParse(rest[(space + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var ns) ? ns : 0;
        return (k, t);
    }

    /// <summary>Builds the servers have finished (their <c>/metrics</c>, every status, summed over the replicas).</summary>
    private async Task<double> BuildsAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var sum = 0.0;
        foreach (var client in _clients)
        {
            var text = await client.GetStringAsync("metrics", timeout.Token).ConfigureAwait(false);
            foreach (var line in text.Split('\n'))
            {
                if (!line.StartsWith(BuildCountMetric, StringComparison.Ordinal)) continue;
                var rest = line[BuildCountMetric.Length..];
                if (rest.Length > 0 && rest[0] is not ('{' or ' ')) continue;
                sum += double.Parse(rest[(rest.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var server in _servers) await server.DisposeAsync().ConfigureAwait(false);
        if (_redis is not null) await _redis.DisposeAsync().ConfigureAwait(false);
        await _sandbox.DisposeAsync().ConfigureAwait(false);
        _repo.Dispose();
        _second.Dispose();
    }

    private sealed record ClientRun(long[] Arrivals, long FirstEvent, string? Error);

    /// <summary>Turns a <see cref="Stopwatch"/> arrival into wall-clock time, to compare with a line's print time.</summary>
    private sealed class WallClock
    {
        private readonly long _ticks = Stopwatch.GetTimestamp();
        private readonly long _unixNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

        public double MsSincePrinted(long arrival, long printedNs) =>
            (_unixNs + (arrival - _ticks) * 1_000_000_000.0 / Stopwatch.Frequency - printedNs) / 1_000_000.0;
    }
}
