using System.Collections.Concurrent;
using System.Security.Cryptography;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// Bitbucket Cloud's REST API 2.0 on 127.0.0.1: <c>/2.0/repositories/{workspace}/{repo}</c> (with <c>mainbranch</c>),
/// <c>…/refs/branches/{name}</c>, <c>…/refs/tags/{name}</c> (each with <c>target.hash</c>) and <c>…/commit/{hash}</c>,
/// with Bitbucket's error body for anything unknown.
/// </summary>
internal sealed class FakeBitbucketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, object> _answers = new(StringComparer.Ordinal);

    private FakeBitbucketServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<FakeBitbucketServer> StartAsync()
    {
        var app = LoopbackHost.CreateBuilder().Build();
        var server = new FakeBitbucketServer(app);
        app.Run(server.HandleAsync);
        server.BaseUri = await LoopbackHost.StartAsync(app);
        return server;
    }

    /// <summary>A repository whose main branch is <paramref name="mainBranch"/>; returns that branch's commit.</summary>
    public string AddRepository(string workspace, string repo, string mainBranch = "main")
    {
        var root = $"/2.0/repositories/{workspace}/{repo}";
        _answers[root] = new { type = "repository", full_name = $"{workspace}/{repo}", is_private = false, scm = "git", mainbranch = new { type = "branch", name = mainBranch } };
        return AddRef(workspace, repo, "branches", mainBranch);
    }

    /// <summary>A branch or tag (<paramref name="kind"/> <c>branches</c> or <c>tags</c>) at a new commit; returns the commit.</summary>
    public string AddRef(string workspace, string repo, string kind, string name)
    {
        var sha = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var root = $"/2.0/repositories/{workspace}/{repo}";
        _answers[$"{root}/refs/{kind}/{name}"] = new { name, type = kind == "tags" ? "tag" : "branch", target = new { type = "commit", hash = sha, date = "2024-01-01T00:00:00+00:00" } };
        _answers[$"{root}/commit/{sha}"] = new { type = "commit", hash = sha, message = "A commit\n" };
        return sha;
    }

    private Task HandleAsync(HttpContext context) =>
        _answers.TryGetValue(Uri.UnescapeDataString(context.Request.Path.Value ?? ""), out var body)
            ? Results.Json(body).ExecuteAsync(context)
            : Results.Json(new { type = "error", error = new { message = "Resource not found" } }, statusCode: 404).ExecuteAsync(context);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await _app.DisposeAsync();
    }
}
