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
    private readonly ServerProcess _server;
    private readonly string _serverGc;
    private readonly HttpClient _client;

    private SseScenario(DockerSandbox sandbox, GitRepo repo, ServerProcess server, string serverGc)
    {
        _sandbox = sandbox;
        _repo = repo;
        _server = server;
        _serverGc = serverGc;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false };
        _client = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <param name="environment">Variables for the server process (<c>DOTNET_gcServer</c>, <c>DOTNET_GCgen0size</c>, …).</param>
    public static async Task<SseScenario> StartAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var sandbox = new DockerSandbox();
        GitRepo? repo = null;
        try
        {
            repo = GitRepo.Create(Dockerfile(1));
            // The test defaults come with it: no per-IP rate limit (every client is 127.0.0.1), streams end at ready.
            var settings = new Dictionary<string, string?>(sandbox.Settings(), StringComparer.OrdinalIgnoreCase)
            {
                ["Binder:EnableApiOnlyMode"] = "true",
                ["Providers:Git:AllowedSchemes:0"] = "file",
                ["Logging:LogLevel:Default"] = "Warning",
            };
            var production = new Dictionary<string, string>(environment) { ["DOTNET_ENVIRONMENT"] = "Production" };
            var server = await ServerProcess.StartAsync(settings, TimeSpan.FromSeconds(90), production).WaitAsync(cancellationToken).ConfigureAwait(false);
            var gc = environment.TryGetValue("DOTNET_gcServer", out var v) ? (v == "1" ? "server" : "workstation") : "server (runtimeconfig)";
            var extra = environment.Where(e => e.Key != "DOTNET_gcServer").Select(e => $"{e.Key}={e.Value}");
            return new SseScenario(sandbox, repo, server, string.Join(", ", [gc, .. extra]));
        }
        catch
        {
            repo?.Dispose();
            await sandbox.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A Dockerfile whose RUN step is new every time (a fresh GUID) and prints <c>line 1</c> … <c>line n</c>.</summary>
    private static Dictionary<string, string> Dockerfile(int lines) => new()
    {
        ["Dockerfile"] = $"""
            FROM {BaseImage}
            RUN echo "{Guid.NewGuid():N}" && for i in $(seq 1 {lines}); do echo "line $i"; sleep 0.005; done
            USER jovyan
            """,
    };

    /// <summary>A small build with a few clients, not measured: JIT, pools and the engine's first build of the base.</summary>
    public Task<SseRound> WarmUpAsync(CancellationToken cancellationToken) => RunAsync(5, 20, cancellationToken);

    /// <summary><paramref name="clients"/> requests for one new commit at the same moment; each reads its stream to the end.</summary>
    public async Task<SseRound> RunAsync(int clients, int lines, CancellationToken cancellationToken)
    {
        var head = _repo.Commit(Dockerfile(lines));
        var path = $"build/git/{Uri.EscapeDataString(_repo.Url)}/{head}?build_only=true";
        var buildsBefore = await BuildsAsync(cancellationToken).ConfigureAwait(false);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(30.0 * lines));
        var baseline = RssSampler.Read(_server.Pid) ?? 0;
        var serverCpu = ProcessCpu.Of(_server.Pid);
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var machineCpu = ProcessCpu.MachineBusy();
        var start = Stopwatch.GetTimestamp();
        ClientRun[] runs;
        long peak;
        int samples;
        await using (var rss = new RssSampler(_server.Pid, SampleEvery))
        {
            runs = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => ReadAsync(path, lines, limit.Token), CancellationToken.None)))
                .ConfigureAwait(false);
            peak = rss.Peak;
            samples = rss.Samples;
        }
        var duration = Stopwatch.GetElapsedTime(start);
        var cpu = new SseCpu(ProcessCpu.Of(_server.Pid) - serverCpu, (Process.GetCurrentProcess().TotalProcessorTime - benchCpu).TotalSeconds,
            ProcessCpu.MachineBusy() - machineCpu);
        cancellationToken.ThrowIfCancellationRequested();

        // The build's histogram is observed as it ends, which can be a moment after the last client's ready.
        var builds = await BuildsAsync(cancellationToken).ConfigureAwait(false) - buildsBefore;
        for (var i = 0; i < 25 && builds < 1; i++)
        {
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            builds = await BuildsAsync(cancellationToken).ConfigureAwait(false) - buildsBefore;
        }

        var spreads = new List<double>(lines);
        long firstLine = long.MaxValue, lastLine = 0;
        for (var k = 0; k < lines; k++)
        {
            long min = long.MaxValue, max = 0;
            foreach (var run in runs)
            {
                var t = run.Arrivals[k];
                if (t == 0) continue;
                min = Math.Min(min, t);
                max = Math.Max(max, t);
            }
            if (max == 0) continue;
            spreads.Add(Ms(max - min));
            if (k == 0) firstLine = min;
            if (k == lines - 1) lastLine = max;
        }
        var firstEventMax = runs.Max(r => r.FirstEvent == 0 ? double.NaN : Ms(r.FirstEvent - start));
        return new SseRound(clients, lines, builds, runs.Count(r => r.Error is null), runs.Select(r => r.Error).OfType<string>().Distinct().Take(3).ToList(),
            baseline, Math.Max(peak, baseline), samples, spreads, firstEventMax, lastLine > firstLine ? Ms(lastLine - firstLine) : double.NaN,
            duration.TotalMilliseconds, cpu, _serverGc);
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>One client: every <c>line k</c> must come once, in order, and the stream must end with the build-only <c>ready</c>.</summary>
    private async Task<ClientRun> ReadAsync(string path, int lines, CancellationToken cancellationToken)
    {
        var arrivals = new long[lines];
        long first = 0;
        var next = 1;
        string? error = null;
        BinderEvent? last = null;
        try
        {
            using var response = await SseClient.OpenAsync(_client, path, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return new ClientRun(arrivals, 0, $"HTTP {(int)response.StatusCode}");
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var now = Stopwatch.GetTimestamp();
                if (first == 0) first = now;
                if (last?.Phase == BinderPhase.Ready) error ??= $"an event after ready: {m.Data}";
                last = m.Event;
                if (m.Event.Phase == BinderPhase.Failed) error ??= "failed: " + m.Event.Message?.Trim();
                if (m.Event.Phase != BinderPhase.Building || LineNumber(m.Event.Message) is not { } k) continue;
                if (k == next && k <= lines)
                {
                    arrivals[k - 1] = now;
                    next++;
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

    private static int? LineNumber(string? message) =>
        message is not null && message.StartsWith("line ", StringComparison.Ordinal)
        && int.TryParse(message.AsSpan(5).TrimEnd('\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : null;

    /// <summary>Builds the server has finished (its <c>/metrics</c>, every status).</summary>
    private async Task<double> BuildsAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var text = await _client.GetStringAsync("metrics", timeout.Token).ConfigureAwait(false);
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(BuildCountMetric, StringComparison.Ordinal)) continue;
            var rest = line[BuildCountMetric.Length..];
            if (rest.Length > 0 && rest[0] is not ('{' or ' ')) continue;
            sum += double.Parse(rest[(rest.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        await _sandbox.DisposeAsync().ConfigureAwait(false);
        _repo.Dispose();
    }

    private sealed record ClientRun(long[] Arrivals, long FirstEvent, string? Error);
}
