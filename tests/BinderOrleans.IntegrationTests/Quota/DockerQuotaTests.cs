using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Quota;

/// <summary>
/// Quotas with the Docker launcher, counted from the engine's launch-labelled containers of this run's sandbox, through
/// the real <c>/build/git/…</c> endpoint.
/// </summary>
public sealed class DockerQuotaTests : IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(4);

    private const string Notebook = """
        {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Quota"]}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        """;

    private readonly DockerSandbox _sandbox = new();
    private readonly List<GitRepo> _repos = [];
    private RunningServer? _server;

    public async Task InitializeAsync()
    {
        var settings = _sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Binder:PerRepoQuota"] = "1";
        settings["Quota:Total"] = "2";
        _server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        await _sandbox.DisposeAsync();
        foreach (var repo in _repos) repo.Dispose();
    }

    [Fact]
    public async Task RepoAndTotalQuotas_CountTheLaunchersContainers()
    {
        var first = Repo();
        var second = Repo();

        await ReadyAsync(first);

        var sameRepo = await FailedAsync(first);
        Assert.Equal($"Too many users running {first.Url}! Try again soon.\n", sameRepo.Message);

        await ReadyAsync(second);
        var health = await HealthItemAsync("Pod quota");
        Assert.Equal(2, (int?)health["user_pods"]);
        Assert.Equal(2, (int?)health["quota"]);
        Assert.Equal(true, (bool?)health["ok"]);
        Assert.Equal(true, (bool?)health["_ignore_failure"]);

        var full = await FailedAsync(second);
        Assert.Equal("Too many users on this BinderHub! Try again soon.\n", full.Message);
    }

    private GitRepo Repo()
    {
        var repo = GitRepo.Create(new Dictionary<string, string> { ["index.ipynb"] = Notebook, ["README.md"] = Guid.NewGuid().ToString() });
        _repos.Add(repo);
        return repo;
    }

    private async Task<List<SseMessage>> StreamAsync(GitRepo repo) =>
        await SseClient.ReadBuildAsync(_server!.Client, $"build/git/{Uri.EscapeDataString(repo.Url)}/{repo.Head}", StreamTimeout);

    private async Task ReadyAsync(GitRepo repo)
    {
        var messages = await StreamAsync(repo);
        Assert.True(messages[^1].Event.Phase == BinderPhase.Ready, string.Join(" | ", messages.Select(m => m.Data)));
    }

    private async Task<BinderEvent> FailedAsync(GitRepo repo)
    {
        var messages = await StreamAsync(repo);
        var failed = messages[^1].Event;
        Assert.True(failed.Phase == BinderPhase.Failed, string.Join(" | ", messages.Select(m => m.Data)));
        Assert.Equal(429, failed.StatusCode);
        Assert.DoesNotContain(messages, m => m.Event.Phase == BinderPhase.Launching);
        return failed;
    }

    private async Task<JsonObject> HealthItemAsync(string service)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var body = await _server!.Client.GetStringAsync(new Uri("health", UriKind.Relative), cts.Token);
        return JsonNode.Parse(body)!["checks"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["service"] == service);
    }
}
