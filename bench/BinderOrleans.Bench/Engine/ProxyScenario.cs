using System.Diagnostics;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using BinderOrleans.Testing;
using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Bench.Engine;

/// <summary>
/// Launches behind the proxy (<c>Docker:Proxy</c>, the default): a cached launch, request → <c>ready</c> → the first
/// <c>/api/status</c> through the proxy, against two floors run interleaved with it: <c>docker run --network host</c>
/// polled on loopback (no network of its own, nothing published: the cheapest start there is), and <c>docker run</c>
/// in the service's own server network polled at the container's address (the isolation the service keeps); and, for
/// comparison, <c>docker run</c> joining a namespace made beforehand in that network. Then the
/// proxy's own cost per request: <c>/api/status</c> through it against the same server asked at its address directly.
/// Uses the engine scenario's server and its warmed-up image.
/// </summary>
internal sealed class ProxyScenario(EngineScenario engine, string image) : IDisposable
{
    private readonly HttpClient _probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
    private readonly IDockerClient _docker = engine.Server.Services.GetRequiredService<IDockerClient>();

    public void Dispose() => _probe.Dispose();

    /// <summary>The three kinds of start, interleaved (the order rotating each round); the last service launch is kept for <see cref="OverheadAsync"/>.</summary>
    public async Task<ProxyLaunches> LaunchRoundsAsync(int rounds, CancellationToken cancellationToken)
    {
        var host = new List<double>();
        var network = new List<double>();
        var joined = new List<double>();
        var service = new List<ProxyLaunch>();
        BinderEvent? kept = null;
        for (var r = 0; r < rounds; r++)
        {
            for (var k = 0; k < 4; k++)
            {
                switch ((r + k) % 4)
                {
                    case 0:
                        host.Add(await HostFloorAsync(cancellationToken).ConfigureAwait(false));
                        break;
                    case 1:
                        network.Add(await NetworkFloorAsync(cancellationToken).ConfigureAwait(false));
                        break;
                    case 2:
                        joined.Add(await JoinedFloorAsync(cancellationToken).ConfigureAwait(false));
                        break;
                    default:
                        var launch = await LaunchAsync(cancellationToken).ConfigureAwait(false);
                        service.Add(launch);
                        if (launch.Ready is null) break;
                        if (kept is not null) await engine.RemoveServerAsync(kept, cancellationToken).ConfigureAwait(false);
                        kept = launch.Ready;
                        break;
                }
            }
        }
        return new ProxyLaunches(host, network, joined, service, kept);
    }

    /// <summary><c>docker run --network host</c>, the server on a free loopback port, asked there every 10 ms.</summary>
    private async Task<double> HostFloorAsync(CancellationToken cancellationToken)
    {
        var token = FloorServer.NewToken();
        var port = FreePorts.Next();
        var clock = Stopwatch.StartNew();
        var id = await RunAsync(["--network", "host", .. FloorServer.Command(image, token, "127.0.0.1", port)], cancellationToken).ConfigureAwait(false);
        try
        {
            return await FloorServer.PollAsync(_probe, new Uri($"http://127.0.0.1:{port}/api/status?token={token}"), clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", id], CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary><c>docker run</c> in the service's server network, nothing published, asked at the container's address every 10 ms.</summary>
    private async Task<double> NetworkFloorAsync(CancellationToken cancellationToken)
    {
        var token = FloorServer.NewToken();
        var clock = Stopwatch.StartNew();
        var id = await RunAsync(["--network", engine.Sandbox.Network, .. FloorServer.Command(image, token, "0.0.0.0", 8888)], cancellationToken).ConfigureAwait(false);
        try
        {
            var inspected = await _docker.FindContainerAsync(id, cancellationToken).ConfigureAwait(false);
            var ip = inspected is null ? null : ServerAddress.ContainerIp(inspected);
            if (ip is null) throw new InvalidOperationException($"the floor's container has no address in {engine.Sandbox.Network}");
            return await FloorServer.PollAsync(_probe, new Uri($"http://{ip}:8888/api/status?token={token}"), clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", id], CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What a launch could cost with its network made beforehand: a holder container already in the service's network
    /// (not timed), then <c>docker run --network container:&lt;holder&gt;</c> asked at the holder's address every 10 ms.
    /// </summary>
    private async Task<double> JoinedFloorAsync(CancellationToken cancellationToken)
    {
        var holder = await RunAsync(["--network", engine.Sandbox.Network, "--entrypoint", "sleep", image, "infinity"], cancellationToken).ConfigureAwait(false);
        string? id = null;
        try
        {
            var inspected = await _docker.FindContainerAsync(holder, cancellationToken).ConfigureAwait(false);
            var ip = inspected is null ? null : ServerAddress.ContainerIp(inspected);
            if (ip is null) throw new InvalidOperationException($"the holder container has no address in {engine.Sandbox.Network}");
            var token = FloorServer.NewToken();
            var clock = Stopwatch.StartNew();
            id = await RunAsync(["--network", $"container:{holder}", .. FloorServer.Command(image, token, "0.0.0.0", 8888)], cancellationToken).ConfigureAwait(false);
            return await FloorServer.PollAsync(_probe, new Uri($"http://{ip}:8888/api/status?token={token}"), clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", .. id is null ? new[] { holder } : [id, holder]], CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<string> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await Cli.RunAsync("docker", ["run", "-d", "--label", engine.Sandbox.Label, .. arguments], cancellationToken).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException("docker run failed: " + output);
        return output.Trim();
    }

    /// <summary>A cached launch, then <c>/api/status</c> through the proxy at the handed-out URL until it answers.</summary>
    private async Task<ProxyLaunch> LaunchAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var run = await engine.RequestAsync(engine.CachedLaunchPath, cancellationToken).ConfigureAwait(false);
        if (run.Ready is null) return new ProxyLaunch(run.TotalMs, double.NaN, null, run.Failure, run.Phases);
        var total = await FloorServer.PollAsync(_probe, new Uri($"{run.Ready.Url}api/status?token={run.Ready.Token}"), clock, cancellationToken).ConfigureAwait(false);
        return new ProxyLaunch(run.TotalMs, total, run.Ready, null, run.Phases);
    }

    /// <summary>
    /// <paramref name="requests"/> pairs of <c>/api/status</c> on a running server: at its address in the server network,
    /// and through the proxy, each on its own kept-alive connection, alternating which goes first (after a warm-up).
    /// </summary>
    public async Task<ProxyOverhead> OverheadAsync(BinderEvent ready, int requests, CancellationToken cancellationToken)
    {
        var path = new Uri(ready.Url!).AbsolutePath;
        var ids = await engine.Sandbox.ContainerIdsAsync($"binderorleans.path={path}").ConfigureAwait(false);
        var inspected = ids.Count == 1 ? await _docker.FindContainerAsync(ids[0], cancellationToken).ConfigureAwait(false) : null;
        if (inspected is null || ServerAddress.ContainerIp(inspected) is not { } ip) throw new InvalidOperationException($"no single running server at {path}");
        var published = inspected.HostConfig?.PortBindings is { Count: > 0 };
        var direct = new Uri($"http://{ip}:8888{path}api/status?token={ready.Token}");
        var proxied = new Uri($"{ready.Url}api/status?token={ready.Token}");
        using var directClient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var proxiedClient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 20; i++)
        {
            await TimeAsync(directClient, direct, cancellationToken).ConfigureAwait(false);
            await TimeAsync(proxiedClient, proxied, cancellationToken).ConfigureAwait(false);
        }
        var directMs = new List<double>(requests);
        var proxiedMs = new List<double>(requests);
        for (var i = 0; i < requests; i++)
        {
            if (i % 2 == 0)
            {
                directMs.Add(await TimeAsync(directClient, direct, cancellationToken).ConfigureAwait(false));
                proxiedMs.Add(await TimeAsync(proxiedClient, proxied, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                proxiedMs.Add(await TimeAsync(proxiedClient, proxied, cancellationToken).ConfigureAwait(false));
                directMs.Add(await TimeAsync(directClient, direct, cancellationToken).ConfigureAwait(false));
            }
        }
        await engine.RemoveServerAsync(ready, cancellationToken).ConfigureAwait(false);
        return new ProxyOverhead(directMs, proxiedMs, published);
    }

    private static async Task<double> TimeAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}

/// <param name="ReadyMs">Request → <c>ready</c>.</param>
/// <param name="TotalMs">Request → the first 200 of <c>/api/status</c> through the proxy; NaN when the launch failed.</param>
/// <param name="Phases">When each phase's first event arrived (ms after the request), and when the container had started.</param>
internal sealed record ProxyLaunch(double ReadyMs, double TotalMs, BinderEvent? Ready, string? Failure, IReadOnlyDictionary<string, double> Phases);

/// <param name="JoinedFloor">Starts joining a network namespace made beforehand (what holders kept ready would give).</param>
internal sealed record ProxyLaunches(List<double> HostFloor, List<double> NetworkFloor, List<double> JoinedFloor, List<ProxyLaunch> Service, BinderEvent? Kept);

/// <param name="Published">Whether the measured server had a host port published (it should not).</param>
internal sealed record ProxyOverhead(List<double> DirectMs, List<double> ProxiedMs, bool Published);
