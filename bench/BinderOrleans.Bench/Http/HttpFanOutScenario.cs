using System.Diagnostics;
using BinderOrleans.Bench.FanOut;
using BinderOrleans.Bench.Harness;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Bench.Http;

/// <summary>
/// Scenario B, over HTTP on loopback: the real server (Kestrel on 127.0.0.1) with a paced fake builder and an instant
/// launcher; W clients open <c>/build/bench/{spec}</c> at once. Each client is its own launch session; all of them
/// must share one build of the spec's image.
/// </summary>
internal sealed class HttpFanOutScenario : IAsyncDisposable
{
    private readonly RunningServer _server;
    private readonly PacedBuilder _builder;
    private readonly HttpClient _client;
    private int _round;

    private HttpFanOutScenario(RunningServer server, PacedBuilder builder)
    {
        _server = server;
        _builder = builder;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _client = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task<HttpFanOutScenario> StartAsync(int lines, TimeSpan pace)
    {
        var registry = new BenchRegistry();
        var builder = new PacedBuilder(registry, lines, pace);
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Build:ConcurrentLimit"] = "8",
        };
        var server = await RunningServer.StartAsync(settings, services =>
        {
            services.AddSingleton<IRepoProvider, BenchProvider>();
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(registry);
            services.RemoveAll<IImageBuilder>();
            services.AddSingleton<IImageBuilder>(builder);
            services.RemoveAll<ILauncher>();
            services.AddSingleton<ILauncher, InstantLauncher>();
        }).ConfigureAwait(false);
        return new HttpFanOutScenario(server, builder);
    }

    public async Task<HttpRound> RunAsync(int clients, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        var spec = $"bench/round-{Interlocked.Increment(ref _round)}-w{clients}";
        var path = $"build/bench/{spec}";
        var sampler = ThreadSampler.Start();
        var started = Stopwatch.GetTimestamp();
        (TimeSpan? Ready, long Messages)[] results;
        try
        {
            results = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => ReadStreamAsync(path, started, cancellationToken)))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sampler.Dispose();
        }
        var wall = Stopwatch.GetElapsedTime(started);
        var ready = results.Where(r => r.Ready is not null).Select(r => r.Ready!.Value.TotalMilliseconds).ToArray();
        return new HttpRound(clients, _builder.StartsFor($"https://example.invalid/{spec}"), ready.Length,
            TimeSpan.FromMilliseconds(Stats.Median(ready)), results.Sum(r => r.Messages), wall, sampler.PeakProcessThreads, sampler.PeakPoolThreads);
    }

    private async Task<(TimeSpan? Ready, long Messages)> ReadStreamAsync(string path, long started, CancellationToken cancellationToken)
    {
        // Off the caller's thread at once, so all clients are in flight together.
        await Task.Yield();
        using var response = await SseClient.OpenAsync(_client, path, cancellationToken: cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        TimeSpan? ready = null;
        long messages = 0;
        await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            messages++;
            if (m.Event.Phase == BinderPhase.Ready) ready = Stopwatch.GetElapsedTime(started);
        }
        return (ready, messages);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}
