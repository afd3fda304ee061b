using System.Collections.Concurrent;
using System.Security.Cryptography;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// GitLab's <c>GET /api/v4/projects/{url-encoded path}/repository/commits/{url-encoded ref}</c> on 127.0.0.1, with its
/// JSON shape and its habit of answering 404 for private projects when the caller has no token. Records each request.
/// </summary>
internal sealed class FakeGitLabServer : IAsyncDisposable
{
    private const string Prefix = "/api/v4/projects/";
    private const string Commits = "/repository/commits/";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _refs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _private = new(StringComparer.Ordinal);

    private FakeGitLabServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>The personal access token that opens private projects.</summary>
    public string? ValidPrivateToken { get; set; }

    public static async Task<FakeGitLabServer> StartAsync()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        var server = new FakeGitLabServer(app);
        app.Run(server.HandleAsync);
        server.BaseUri = await LoopbackHost.StartAsync(app);
        return server;
    }

    /// <summary>Makes <paramref name="gitRef"/> of the project at <paramref name="path"/> point at a new commit; returns its SHA.</summary>
    public string SetRef(string path, string gitRef, bool isPrivate = false)
    {
        var sha = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _refs[$"{path}\n{gitRef}"] = sha;
        _private[path] = isPrivate;
        return sha;
    }

    private async Task HandleAsync(HttpContext context)
    {
        // The raw target, because the project path arrives as one escaped segment (%2F) that routing would not split.
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var target = query < 0 ? raw : raw[..query];
        var request = context.Request;
        Requests.Enqueue(new RecordedRequest(raw, request.Headers.Authorization.ToString(), request.Headers["PRIVATE-TOKEN"].ToString(),
            request.Headers.UserAgent.ToString()));

        var commits = target.IndexOf(Commits, StringComparison.Ordinal);
        if (!target.StartsWith(Prefix, StringComparison.Ordinal) || commits < 0 || target.IndexOf('/', Prefix.Length) != commits
            || target.IndexOf('/', commits + Commits.Length) >= 0)
        {
            await Results.Json(new { error = "404 Not Found" }, statusCode: 404).ExecuteAsync(context);
            return;
        }
        var path = Uri.UnescapeDataString(target[Prefix.Length..commits]);
        var gitRef = Uri.UnescapeDataString(target[(commits + Commits.Length)..]);

        var visible = _private.TryGetValue(path, out var isPrivate) && (!isPrivate || (ValidPrivateToken is { } token && request.Headers["PRIVATE-TOKEN"] == token));
        if (!visible)
        {
            await Results.Json(new { message = "404 Project Not Found" }, statusCode: 404).ExecuteAsync(context);
            return;
        }
        if (!_refs.TryGetValue($"{path}\n{gitRef}", out var sha))
        {
            await Results.Json(new { message = "404 Commit Not Found" }, statusCode: 404).ExecuteAsync(context);
            return;
        }
        await Results.Json(new
        {
            id = sha,
            short_id = sha[..8],
            created_at = "2024-01-01T00:00:00.000+00:00",
            parent_ids = Array.Empty<string>(),
            title = "A commit",
            message = "A commit\n",
            author_name = "Tanuki",
            author_email = "tanuki@example.invalid",
            authored_date = "2024-01-01T00:00:00.000+00:00",
            committer_name = "Tanuki",
            committer_email = "tanuki@example.invalid",
            committed_date = "2024-01-01T00:00:00.000+00:00",
            trailers = new { },
            web_url = $"https://gitlab.com/{path}/-/commit/{sha}",
            stats = new { additions = 1, deletions = 0, total = 1 },
            status = (string?)null,
            project_id = 1,
        }).ExecuteAsync(context);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await _app.DisposeAsync();
    }

    internal sealed record RecordedRequest(string RawTarget, string Authorization, string PrivateToken, string UserAgent);
}
