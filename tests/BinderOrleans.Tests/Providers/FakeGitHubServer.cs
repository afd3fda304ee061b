using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using BinderOrleans.Core.Providers.GitHub;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// GitHub's <c>GET /repos/{owner}/{repo}/commits/{ref}</c> (JSON, or the bare SHA for <c>Accept: application/vnd.github.sha</c>)
/// and <c>GET /gists/{id}</c> on 127.0.0.1, with their JSON shapes, weak ETags and conditional requests (304, commits only)
/// and <c>x-ratelimit-*</c> headers. Records what each request carried.
/// </summary>
internal sealed class FakeGitHubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _refs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Gist> _gists = new(StringComparer.Ordinal);
    private int _remaining = 5000;

    private FakeGitHubServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>When set, every request gets GitHub's 403 "API rate limit exceeded" with this reset time.</summary>
    public DateTimeOffset? RateLimitedUntil { get; set; }

    /// <summary>When set, every request gets this status with an error body.</summary>
    public int? FailWith { get; set; }

    public static async Task<FakeGitHubServer> StartAsync()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        var server = new FakeGitHubServer(app);
        app.MapGet("/repos/{owner}/{repo}/commits/{**gitRef}", (HttpContext context, string owner, string repo, string gitRef) =>
            server.Commit(context, owner, repo, gitRef));
        app.MapGet("/gists/{id}", (HttpContext context, string id) => server.GetGist(context, id));
        server.BaseUri = await LoopbackHost.StartAsync(app);
        return server;
    }

    /// <summary>Makes <paramref name="gitRef"/> of owner/repo point at a new commit; returns its SHA.</summary>
    public string SetRef(string owner, string repo, string gitRef, string? sha = null)
    {
        sha ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _refs[$"{owner}/{repo}/{gitRef}"] = sha;
        return sha;
    }

    /// <summary>The <c>gh</c> provider pointed at this server (<c>Providers:GitHub:ApiBaseUrl</c>), with the test's clock.</summary>
    public GitHubRepoProvider Provider(TimeProvider time, Action<GitHubProviderOptions>? configure = null)
    {
        var options = new GitHubProviderOptions { ApiBaseUrl = BaseUri.ToString().TrimEnd('/') };
        configure?.Invoke(options);
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpMessageHandlerFactory>();
        return new GitHubRepoProvider(Microsoft.Extensions.Options.Options.Create(options), http, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<GitHubRepoProvider>.Instance);
    }

    /// <summary>Makes owner/repo private, as GitHub does: 404 for every request that does not carry <paramref name="token"/>.</summary>
    public void SetPrivate(string owner, string repo, string token) => _private[$"{owner}/{repo}"] = token;

    private readonly ConcurrentDictionary<string, string> _private = new(StringComparer.Ordinal);

    /// <summary>Creates or replaces gist <paramref name="id"/> with <paramref name="revisions"/> versions; returns them newest first.</summary>
    public IReadOnlyList<string> SetGist(string owner, string id, int revisions = 1, bool isPublic = true)
    {
        var versions = Enumerable.Range(0, revisions).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))).ToArray();
        _gists[id] = new Gist(owner, isPublic, versions);
        return versions;
    }

    /// <summary>What the last counted response reported in x-ratelimit-remaining.</summary>
    public int Remaining => Volatile.Read(ref _remaining);

    public int CountFor(string pathSuffix) => Requests.Count(r => r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    private IResult Commit(HttpContext context, string owner, string repo, string gitRef)
    {
        if (Refuse(context) is { } refused) return refused;
        var request = context.Request;
        var response = context.Response;
        if (_private.TryGetValue($"{owner}/{repo}", out var token) && AsGitHubReadsIt(request.Headers.Authorization.ToString()) != $"token {token}")
        {
            Spend(response);
            return Results.Json(new { message = "Not Found", documentation_url = "https://docs.github.com/rest/commits/commits#get-a-commit" }, statusCode: 404);
        }
        if (!_refs.TryGetValue($"{owner}/{repo}/{gitRef}", out var sha))
        {
            // GitHub: 404 for a missing repository, 422 for a missing ref in an existing one.
            Spend(response);
            return _refs.Keys.Any(k => k.StartsWith($"{owner}/{repo}/", StringComparison.Ordinal))
                ? Results.Json(new { message = $"No commit found for SHA: {gitRef}", documentation_url = "https://docs.github.com/rest/commits/commits#get-a-commit" }, statusCode: 422)
                : Results.Json(new { message = "Not Found", documentation_url = "https://docs.github.com/rest/commits/commits#get-a-commit" }, statusCode: 404);
        }

        var etag = $"W/\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sha)))}\"";
        response.Headers.ETag = etag;
        if (string.Equals(request.Headers.IfNoneMatch.ToString(), etag, StringComparison.Ordinal))
        {
            // A conditional hit: GitHub does not count it against the rate limit.
            response.Headers["x-ratelimit-remaining"] = Volatile.Read(ref _remaining).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.StatusCode(304);
        }
        Spend(response);
        if (request.Headers.Accept.ToString().Contains("application/vnd.github.sha", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Text(sha, "application/vnd.github.sha; charset=utf-8");
        }
        return Results.Json(new
        {
            sha,
            node_id = "C_kwDOAAAAAA",
            commit = new
            {
                author = new { name = "Octo Cat", email = "octocat@example.invalid", date = "2024-01-01T00:00:00Z" },
                message = "A commit",
                tree = new { sha = new string('0', 40) },
            },
            url = $"{BaseUri}repos/{owner}/{repo}/commits/{sha}",
            html_url = $"https://github.com/{owner}/{repo}/commit/{sha}",
            parents = Array.Empty<object>(),
        });
    }

    /// <summary>Records the request and sets the rate-limit headers; the rate-limit or failure answer when one is due.</summary>
    private IResult? Refuse(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue(new RecordedRequest(
            request.Path.Value ?? "",
            AsGitHubReadsIt(request.Headers.Authorization.ToString()),
            request.Headers.UserAgent.ToString(),
            request.Headers.IfNoneMatch.ToString()));

        var response = context.Response;
        var reset = RateLimitedUntil ?? DateTimeOffset.UtcNow.AddHours(1);
        response.Headers["x-ratelimit-limit"] = "5000";
        response.Headers["x-ratelimit-reset"] = reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-resource"] = "core";

        if (RateLimitedUntil is not null)
        {
            response.Headers["x-ratelimit-remaining"] = "0";
            response.Headers["x-ratelimit-used"] = "5000";
            return Results.Json(new
            {
                message = "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
                documentation_url = "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
            }, statusCode: 403);
        }

        if (FailWith is { } status)
        {
            Spend(response);
            return Results.Json(new { message = "Server Error" }, statusCode: status);
        }
        return null;
    }

    /// <summary>
    /// The Authorization header with its scheme spelled as GitHub documents it (<c>token</c>, <c>Basic</c>, <c>Bearer</c>):
    /// schemes are case-insensitive (RFC 9110 11.1), and Octokit writes <c>Token</c> where BinderHub writes <c>token</c>.
    /// </summary>
    private static string AsGitHubReadsIt(string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0) return authorization;
        var scheme = authorization[..space];
        var canonical = new[] { "token", "Basic", "Bearer" }.FirstOrDefault(s => s.Equals(scheme, StringComparison.OrdinalIgnoreCase)) ?? scheme;
        return canonical + authorization[space..];
    }

    private IResult GetGist(HttpContext context, string id)
    {
        if (Refuse(context) is { } refused) return refused;
        Spend(context.Response);
        if (!_gists.TryGetValue(id, out var gist))
        {
            return Results.Json(new { message = "Not Found", documentation_url = "https://docs.github.com/rest/gists/gists#get-a-gist" }, statusCode: 404);
        }
        var owner = new { login = gist.Owner, id = 1, type = "User" };
        return Results.Json(new
        {
            url = $"{BaseUri}gists/{id}",
            id,
            html_url = $"https://gist.github.com/{gist.Owner}/{id}",
            git_pull_url = $"https://gist.github.com/{id}.git",
            @public = gist.Public,
            description = "A gist",
            files = new Dictionary<string, object> { ["notebook.ipynb"] = new { filename = "notebook.ipynb", type = "text/plain", size = 2 } },
            owner,
            history = gist.Versions.Select((version, i) => new
            {
                user = owner,
                version,
                committed_at = DateTimeOffset.UnixEpoch.AddDays(gist.Versions.Count - i).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                change_status = new { total = 1, additions = 1, deletions = 0 },
                url = $"{BaseUri}gists/{id}/{version}",
            }),
            truncated = false,
        });
    }

    private void Spend(HttpResponse response)
    {
        var remaining = Interlocked.Decrement(ref _remaining);
        response.Headers["x-ratelimit-remaining"] = remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await _app.DisposeAsync();
    }

    private sealed record Gist(string Owner, bool Public, IReadOnlyList<string> Versions);

    internal sealed record RecordedRequest(string Path, string Authorization, string UserAgent, string IfNoneMatch);
}
