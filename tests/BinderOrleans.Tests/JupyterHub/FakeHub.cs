using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.JupyterHub;

/// <summary>One request the fake hub received.</summary>
internal sealed record HubCall(string Method, string PathAndQuery, string? Authorization, string? Accept, string Body)
{
    public override string ToString() => $"{Method} {PathAndQuery}";
}

/// <summary>
/// An HTTP server on 127.0.0.1:0 answering under <c>/hub/api/</c> as the test scripts it, for the hub behaviours a real
/// hub will not show on demand (5xx then 409, a stalled progress stream, "please wait").
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<HubCall> _calls = new();

    private FakeHub(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The hub's public URL (with trailing slash); the API is below <c>hub/api/</c>.</summary>
    public Uri Url { get; }

    public IReadOnlyList<HubCall> Calls => [.. _calls];

    /// <summary>Answers requests; the path passed is relative to <c>/hub/api/</c> (with query).</summary>
    public Func<HubCall, HttpContext, Task> Handle { get; set; } = (_, ctx) => Reply(ctx, 404, """{"status": 404, "message": "Not Found"}""");

    public static async Task<FakeHub> StartAsync()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        FakeHub? hub = null;
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(ctx.RequestAborted);
            var path = ctx.Request.Path.Value ?? "";
            const string api = "/hub/api/";
            var relative = path.StartsWith(api, StringComparison.Ordinal) ? path[api.Length..] : path;
            var call = new HubCall(ctx.Request.Method, relative + ctx.Request.QueryString, ctx.Request.Headers.Authorization.ToString(),
                ctx.Request.Headers.Accept.ToString(), body);
            hub!._calls.Enqueue(call);
            await hub.Handle(call, ctx);
        });
        hub = new FakeHub(app, await LoopbackHost.StartAsync(app));
        return hub;
    }

    public static async Task Reply(HttpContext ctx, int status, string body = "")
    {
        ctx.Response.StatusCode = status;
        if (body.Length == 0) return;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body, ctx.RequestAborted);
    }

    /// <summary>Writes SSE <c>data:</c> events, then keeps the stream open for <paramref name="holdOpen"/> (or until the client leaves).</summary>
    public static async Task Progress(HttpContext ctx, IEnumerable<string> events, TimeSpan? holdOpen = null)
    {
        ctx.Response.ContentType = "text/event-stream";
        foreach (var e in events)
        {
            await ctx.Response.WriteAsync($"data: {e}\n\n", ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        }
        if (holdOpen is { } hold)
        {
            try
            {
                await Task.Delay(hold, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
