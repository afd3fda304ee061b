using System.Net;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BinderOrleans.Testing;

namespace BinderOrleans.BrowserTests.Fakes;

/// <summary>
/// A stand-in notebook server on 127.0.0.1:0 (every path answers a small page naming itself) and a launcher that
/// "starts" it: <c>launching</c> progress, then <c>ready</c> with its URL and a fresh token.
/// </summary>
internal sealed class FakeNotebookServer : ILauncher, IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeSpan _step;
    private int _launches;

    private FakeNotebookServer(WebApplication app, Uri baseUri, TimeSpan step)
    {
        _app = app;
        BaseUri = baseUri;
        _step = step;
    }

    public Uri BaseUri { get; }

    public int Launches => _launches;

    /// <summary>The <c>binder_request</c> of every launch so far.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<FakeNotebookServer> StartAsync(TimeSpan step)
    {
        var app = LoopbackHost.CreateBuilder().Build();
        app.Run(async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            var path = WebUtility.HtmlEncode(context.Request.Path.Value);
            await context.Response.WriteAsync($"<!DOCTYPE html><title>Fake notebook</title><h1 id=\"fake-notebook\">Fake notebook server</h1><p id=\"path\">{path}</p>");
        });
        return new FakeNotebookServer(app, await LoopbackHost.StartAsync(app), step);
    }

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _launches);
        Requests.Enqueue(request.BinderRequest);
        yield return BinderEvent.Of(BinderPhase.Launching, "Server requested");
        await Task.Delay(_step, cancellationToken);
        yield return BinderEvent.Of(BinderPhase.Launching, "Started container");
        await Task.Delay(_step, cancellationToken);
        yield return new BinderEvent
        {
            Phase = BinderPhase.Ready,
            Url = new Uri(BaseUri, $"user/session-{n}/").ToString(),
            Token = $"token-{n}-{Guid.NewGuid():N}",
        };
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
