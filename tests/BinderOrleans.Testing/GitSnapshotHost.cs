using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Testing;

/// <summary>
/// A git host on 127.0.0.1 speaking git's dumb HTTP protocol (a snapshot: no git process per request): each served repository's <c>.git</c> files as they were
/// when served, under <c>/{name}.git/</c>. Anything that shares the machine's loopback (a container or pod in the host's
/// network) can clone from it and <c>git ls-remote</c> it.
/// </summary>
public sealed class GitSnapshotHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private GitSnapshotHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>Base address, with a trailing slash.</summary>
    public Uri BaseUri { get; }

    /// <summary>Paths asked for, in order (a clone shows up here).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<GitSnapshotHost> StartAsync()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        GitSnapshotHost? host = null;
        app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            host!.Requests.Enqueue(path);
            if (!host._files.TryGetValue(path, out var bytes))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        });
        var baseUri = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        host = new GitSnapshotHost(app, baseUri);
        return host;
    }

    /// <summary>Serves <paramref name="repo"/> as it is now; returns its clone URL (<c>http://127.0.0.1:port/{name}.git</c>).</summary>
    public string Serve(GitRepo repo, string name)
    {
        repo.Git("update-server-info");
        var gitDirectory = Path.Combine(repo.Path, ".git");
        foreach (var file in Directory.EnumerateFiles(gitDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(gitDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
            _files[$"/{name}.git/{relative}"] = File.ReadAllBytes(file);
        }
        return new Uri(BaseUri, $"{name}.git").AbsoluteUri;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync().ConfigureAwait(false);
}
