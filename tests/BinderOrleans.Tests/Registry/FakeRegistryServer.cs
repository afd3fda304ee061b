using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Registry;

/// <summary>
/// A registry's manifest endpoint on 127.0.0.1:0 whose answers the test scripts (5xx, hangs, 403),
/// for the failure modes a real registry will not produce on demand.
/// </summary>
internal sealed class FakeRegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private FakeRegistryServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public string Host => $"{Url.Host}:{Url.Port}";

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Request path and Accept header of every request.</summary>
    public ConcurrentQueue<(string Path, string Accept)> Requests { get; } = new();

    /// <summary>Answers request number n (1-based).</summary>
    public Func<int, HttpContext, Task> Respond { get; set; } = (_, context) => { context.Response.StatusCode = 404; return Task.CompletedTask; };

    public static async Task<FakeRegistryServer> StartAsync()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        var server = new FakeRegistryServer(app);
        app.Run(context =>
        {
            server.Requests.Enqueue((context.Request.Path.Value ?? "", context.Request.Headers.Accept.ToString()));
            return server.Respond(Interlocked.Increment(ref server._calls), context);
        });
        server.Url = await LoopbackHost.StartAsync(app);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
