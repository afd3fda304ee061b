using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Streaming;
using BinderOrleans.IntegrationTests.JupyterHub;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Bench.Hub;

/// <summary>
/// Issue 23 §3: a launch through the service against a real JupyterHub 3.0 (Debian's, with configurable-http-proxy)
/// next to a direct hub REST client doing what BinderHub's launcher does (create the user, start its server with
/// <c>user_options</c>, follow the progress stream to <c>ready</c>), in interleaved rounds. The hub's spawner serves a
/// tiny HTTP app from inside the hub process, so a spawn costs the hub's own work; each launch is also taken net of
/// the spawn the hub itself logged ("User … took … seconds to start"). The service runs in this process with the
/// bench provider (every spec resolves at once) and a registry in which every image is built, so its path is
/// request → session → resolve → build grain (found) → launch → hub → ready.
/// </summary>
internal sealed partial class HubPathScenario : IAsyncDisposable
{
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(60);

    private readonly HubProcess _hub;
    private readonly RunningServer _server;
    private readonly PathStamps _stamps;
    private readonly HttpClient _client;
    private readonly HttpClient _hubApi;
    private int _round;

    private HubPathScenario(HubProcess hub, RunningServer server, PathStamps stamps)
    {
        _hub = hub;
        _server = server;
        _stamps = stamps;
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        _hubApi = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = hub.ApiUrl, Timeout = Timeout.InfiniteTimeSpan };
        _hubApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", hub.ApiToken);
    }

    /// <summary>Whether Debian's jupyterhub is on this machine (the row is skipped without it).</summary>
    public static bool IsInstalled =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "jupyterhub")));

    public static async Task<HubPathScenario> StartAsync(CancellationToken cancellationToken)
    {
        var hub = await HubProcess.StartAsync(_ => SpawnerConfig).WaitAsync(TimeSpan.FromSeconds(90), cancellationToken).ConfigureAwait(false);
        try
        {
            var stamps = new PathStamps();
            var settings = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Launch:Backend"] = "jupyterhub",
                ["JupyterHub:Url"] = hub.PublicUrl.AbsoluteUri,
                ["JupyterHub:ApiToken"] = hub.ApiToken,
            };
            var server = await RunningServer.StartAsync(settings, services =>
            {
                services.AddSingleton<IRepoProvider>(new StampedProvider(stamps));
                services.AddSingleton<IStartupFilter>(new ArrivalStamp(stamps));
                services.RemoveAll<IImageRegistry>();
                services.AddSingleton<IImageRegistry>(new StampedRegistry(stamps));
                services.RemoveAll<ILauncher>();
                services.AddSingleton<ILauncher>(sp => new StampedLauncher(sp.GetRequiredKeyedService<ILauncher>(LaunchBackend.JupyterHub), stamps));
            }).WaitAsync(TimeSpan.FromSeconds(90), cancellationToken).ConfigureAwait(false);
            return new HubPathScenario(hub, server, stamps);
        }
        catch
        {
            await hub.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// <paramref name="rounds"/> pairs, after two unmeasured ones; odd rounds go through the service first, even ones
    /// direct first, so neither side always meets a hub that has just worked.
    /// </summary>
    public async Task<HubPathResult> RunAsync(int rounds, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 2; i++)
        {
            await DirectAsync(cancellationToken).ConfigureAwait(false);
            await ThroughServiceAsync(cancellationToken).ConfigureAwait(false);
        }
        var direct = new List<HubDirectRun>();
        var service = new List<HubServiceRun>();
        for (var r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                service.Add(await ThroughServiceAsync(cancellationToken).ConfigureAwait(false));
                direct.Add(await DirectAsync(cancellationToken).ConfigureAwait(false));
            }
            else
            {
                direct.Add(await DirectAsync(cancellationToken).ConfigureAwait(false));
                service.Add(await ThroughServiceAsync(cancellationToken).ConfigureAwait(false));
            }
        }
        return new HubPathResult(direct, service);
    }

    /// <summary>A launch as BinderHub's launcher talks to the hub: POST user, POST server with user_options, progress to ready.</summary>
    private async Task<HubDirectRun> DirectAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(RoundTimeout);
        var ct = cts.Token;
        var user = $"direct-{Interlocked.Increment(ref _round)}-{_hub.RunId}";
        var options = new JsonObject
        {
            ["image"] = HubProcess.Image,
            ["repo_url"] = "https://example.invalid/direct",
            ["token"] = "bench-token",
            ["binder_ref_url"] = "https://example.invalid/direct/tree/HEAD",
            ["binder_launch_host"] = "http://127.0.0.1/",
            ["binder_request"] = "v2/bench/direct",
            ["binder_persistent_request"] = "v2/bench/direct/HEAD",
            ["binder_client_ip"] = "127.0.0.1",
        };
        var started = Stopwatch.GetTimestamp();
        using (var created = await _hubApi.PostAsync($"users/{user}", null, ct).ConfigureAwait(false)) created.EnsureSuccessStatusCode();
        using (var content = new StringContent(options.ToJsonString(), Encoding.UTF8, "application/json"))
        using (var spawned = await _hubApi.PostAsync($"users/{user}/server", content, ct).ConfigureAwait(false))
        {
            spawned.EnsureSuccessStatusCode();
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"users/{user}/server/progress"))
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var progress = await _hubApi.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            progress.EnsureSuccessStatusCode();
            await using var body = await progress.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            using var reader = new StreamReader(body);
            var ready = false;
            while (!ready && await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal) && JsonNode.Parse(line[5..])?["ready"]?.GetValue<bool>() == true) ready = true;
            }
            if (!ready) throw new InvalidOperationException($"the hub's progress stream for {user} ended without ready");
        }
        var total = Ms(Stopwatch.GetTimestamp() - started);
        var spawn = await SpawnSecondsAsync(user, ct).ConfigureAwait(false) * 1000;
        await _hub.DeleteUserAsync(user).WaitAsync(ct).ConfigureAwait(false);
        return new HubDirectRun(total, spawn);
    }

    /// <summary>A launch through <c>/build/bench/{spec}</c>, a new spec (so a new session and build grain) every time.</summary>
    private async Task<HubServiceRun> ThroughServiceAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(RoundTimeout);
        var ct = cts.Token;
        var spec = $"bench/hub-{Interlocked.Increment(ref _round)}-{_hub.RunId}";
        var repoUrl = StampedProvider.RepoUrlOf(spec);
        var started = Stopwatch.GetTimestamp();
        long firstLaunching = 0, ready = 0;
        BinderEvent? readyEvent = null;
        string? failure = null;
        using (var response = await SseClient.OpenAsync(_client, $"build/bench/{spec}", cancellationToken: ct).ConfigureAwait(false))
        {
            response.EnsureSuccessStatusCode();
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: ct).ConfigureAwait(false))
            {
                if (m.Event.Phase == BinderPhase.Launching && firstLaunching == 0) firstLaunching = Stopwatch.GetTimestamp();
                if (m.Event.Phase == BinderPhase.Failed) failure = m.Event.Message;
                if (m.Event.Phase != BinderPhase.Ready) continue;
                ready = Stopwatch.GetTimestamp();
                readyEvent = m.Event;
                break;
            }
        }
        if (readyEvent?.Url is not { } url) throw new InvalidOperationException($"the launch of {spec} did not get ready: {failure}");
        var user = UserOf(url);
        var spawn = await SpawnSecondsAsync(user, ct).ConfigureAwait(false) * 1000;
        await _hub.DeleteUserAsync(user).WaitAsync(ct).ConfigureAwait(false);
        double? Since(long? t) => t is { } v ? Ms(v - started) : null;
        return new HubServiceRun(Ms(ready - started), spawn, Ms(firstLaunching - started), Since(_stamps.At(repoUrl, PathStamps.Arrived)),
            Since(_stamps.At(repoUrl, PathStamps.Resolve)), Since(_stamps.At(readyEvent.Image ?? "", PathStamps.Lookup)),
            Since(_stamps.At(repoUrl, PathStamps.Launch)), Since(_stamps.At(repoUrl, PathStamps.LauncherReady)));
    }

    /// <summary>The hub's own figure for the spawn of <paramref name="user"/>'s server, from its log.</summary>
    private async Task<double> SpawnSecondsAsync(string user, CancellationToken ct)
    {
        var pattern = new Regex($@"User {Regex.Escape(user)} took ([0-9.]+) seconds to start", RegexOptions.CultureInvariant);
        for (var i = 0; i < 100; i++)
        {
            if (pattern.Match(_hub.RecentLog) is { Success: true } m) return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
        throw new InvalidOperationException($"the hub did not log the spawn of {user}:\n{_hub.RecentLog}");
    }

    /// <summary>The hub user in a public server URL <c>…/user/{name}/</c>.</summary>
    private static string UserOf(string url)
    {
        var path = new Uri(url).AbsolutePath;
        var at = path.IndexOf("/user/", StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"not a hub server URL: {url}");
        var rest = path[(at + "/user/".Length)..];
        return Uri.UnescapeDataString(rest[..rest.IndexOf('/', StringComparison.Ordinal)]);
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _hubApi.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        await _hub.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Appended to the test hub's configuration: a spawner whose single-user "server" is a small HTTP app served by the
    /// hub process itself on a free loopback port (the hub waits for it to answer, as for a real one).
    /// </summary>
    private const string SpawnerConfig = """

        from tornado import httpserver as _bench_httpserver, netutil as _bench_netutil, web as _bench_web


        class _BenchOk(_bench_web.RequestHandler):
            def get(self, *args):
                self.write('ok')


        class BenchSpawner(Spawner):
            _http = None

            async def start(self):
                sockets = _bench_netutil.bind_sockets(0, '127.0.0.1')
                port = sockets[0].getsockname()[1]
                self._http = _bench_httpserver.HTTPServer(_bench_web.Application([(r'.*', _BenchOk)]))
                self._http.add_sockets(sockets)
                return ('127.0.0.1', port)

            async def poll(self):
                return None if self._http else 0

            async def stop(self, now=False):
                if self._http:
                    self._http.stop()
                    self._http = None


        c.JupyterHub.spawner_class = BenchSpawner
        """;
}

/// <summary>One direct launch: client-side time to ready, and the spawn the hub logged.</summary>
internal sealed record HubDirectRun(double TotalMs, double SpawnMs)
{
    public double NetMs => TotalMs - SpawnMs;
}

/// <summary>
/// One launch through the service: client-side time to ready and to the first <c>launching</c>, the spawn the hub
/// logged, and when (after the request) the session asked the provider, the build grain the registry, the session
/// the launcher, and the launcher said ready.
/// </summary>
internal sealed record HubServiceRun(double TotalMs, double SpawnMs, double FirstLaunchingMs, double? ArrivedMs, double? ResolveMs, double? LookupMs, double? LaunchMs,
    double? LauncherReadyMs)
{
    public double NetMs => TotalMs - SpawnMs;
}

internal sealed record HubPathResult(IReadOnlyList<HubDirectRun> Direct, IReadOnlyList<HubServiceRun> Service);

/// <summary>Stamps when a <c>/build/bench/{spec}</c> request reaches the server's first middleware.</summary>
internal sealed class ArrivalStamp(PathStamps stamps) : IStartupFilter
{
    private const string Prefix = "/build/bench/";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Path.Value is { } path && path.StartsWith(Prefix, StringComparison.Ordinal))
            {
                stamps.Mark(StampedProvider.RepoUrlOf(path[Prefix.Length..]), PathStamps.Arrived);
            }
            return nextMiddleware(context);
        });
        next(app);
    };
}
