using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Testing.DataRepositories;

/// <summary>
/// doi.org and the data repositories (Zenodo, Figshare, Dataverse, HydroShare, CKAN) on one 127.0.0.1 port, each under
/// its own path prefix, answering with the JSON shapes of their real APIs and serving the records' files. DOIs redirect
/// as doi.org does (302 to the landing page, which may redirect again); unknown DOIs and records answer 404.
/// </summary>
public sealed partial class FakeDataRepositories : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _dois = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _redirects = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    private FakeDataRepositories(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Every request's path and query, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary><c>Providers:DoiBaseUrl</c> for this fake.</summary>
    public string DoiBaseUrl => BaseUri + "doi";

    /// <summary>Starts the fake on 127.0.0.1, or on another loopback <paramref name="address"/> (such as the allowed 127.0.0.2).</summary>
    public static async Task<FakeDataRepositories> StartAsync(System.Net.IPAddress? address = null)
    {
        var app = LoopbackHost.CreateBuilder(address).Build();
        var fake = new FakeDataRepositories(app);
        app.Run(fake.HandleAsync);
        fake.BaseUri = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        return fake;
    }

    /// <summary>Registers a DOI that redirects to <paramref name="target"/> (a path on this fake, or an absolute URL).</summary>
    public void AddDoi(string doi, string target) => _dois[doi] = target;

    /// <summary>Makes <paramref name="path"/> answer with a 302 to <paramref name="target"/>.</summary>
    public void AddRedirect(string path, string target) => _redirects[path] = target;

    /// <summary>Makes <paramref name="path"/> answer 200 with an HTML page (a landing page somewhere).</summary>
    public void AddPage(string path) => Route(path, c => Results.Content("<html><body>A page</body></html>", "text/html").ExecuteAsync(c));

    /// <summary>
    /// File names whose records list this URL instead of one on the fake (a record pointing somewhere else, such as an
    /// "inside" address). Set before the record is added.
    /// </summary>
    public ConcurrentDictionary<string, Uri> ElsewhereFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Serves <paramref name="content"/> at a new path and returns its absolute URL (or the name's <see cref="ElsewhereFiles"/> URL).</summary>
    public Uri AddFile(string name, byte[] content)
    {
        if (ElsewhereFiles.TryGetValue(name, out var elsewhere)) return elsewhere;
        var path = $"/files/{Guid.NewGuid():N}/{Uri.EscapeDataString(name)}";
        _files[path] = content;
        return new Uri(BaseUri, path);
    }

    private void Route(string path, Func<HttpContext, Task> handler) => _routes[path] = handler;

    private void RouteJson(string path, Func<object> body) => Route(path, c => Results.Json(body()).ExecuteAsync(c));

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        Requests.Enqueue(path + context.Request.QueryString);
        if (path.StartsWith("/doi/", StringComparison.Ordinal))
        {
            var doi = Uri.UnescapeDataString(path["/doi/".Length..]);
            if (_dois.TryGetValue(doi, out var target))
            {
                context.Response.Redirect(target.StartsWith('/') ? new Uri(BaseUri, target).ToString() : target);
                return;
            }
            // doi.org's own answer for an unknown DOI.
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body><h1>DOI Not Found</h1></body></html>").ConfigureAwait(false);
            return;
        }
        if (_redirects.TryGetValue(path, out var to))
        {
            context.Response.Redirect(new Uri(BaseUri, to).ToString());
            return;
        }
        if (_routes.TryGetValue(path + context.Request.QueryString, out var withQuery) || _routes.TryGetValue(path, out withQuery))
        {
            await withQuery(context).ConfigureAwait(false);
            return;
        }
        if (_files.TryGetValue(path, out var bytes))
        {
            await Results.Bytes(bytes, "application/octet-stream").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        await Results.Json(new { status = 404, message = "The persistent identifier does not exist or you do not have access." }, statusCode: 404)
            .ExecuteAsync(context).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
