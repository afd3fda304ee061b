using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// Git repository → image → server through the real <c>/build/git/…</c> endpoint with <c>Launch:Backend=jupyterhub</c>:
/// the real git provider and Docker builder, then the real hub and its proxy.
/// </summary>
[Collection(JupyterHubCollection.Name)]
public sealed class JupyterHubEndToEndTests(JupyterHubFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(4);

    private const string Notebook = """
        {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Hello from the hub"]}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        """;

    private readonly DockerSandbox _sandbox = new();
    private readonly List<GitRepo> _repos = [];
    private readonly List<string> _hubUsers = [];
    private RunningServer? _server;

    private HubProcess Hub => fixture.Hub;

    private RunningServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var settings = _sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Launch:Backend"] = "jupyterhub";
        settings["JupyterHub:Url"] = Hub.PublicUrl.AbsoluteUri;
        settings["JupyterHub:ApiToken"] = Hub.ApiToken;
        settings["JupyterHub:Retries"] = "2";
        settings["JupyterHub:RetryDelay"] = "00:00:00.2";
        settings["Binder:PerRepoQuota"] = "1";
        _server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        foreach (var user in _hubUsers) await Hub.DeleteUserAsync(user);
        if (_server is not null) await _server.DisposeAsync();
        await _sandbox.DisposeAsync();
        foreach (var repo in _repos) repo.Dispose();
    }

    [Fact]
    public async Task BuildAndLaunch_ThroughTheHub_ServerAnswersThroughTheHubsProxy()
    {
        var repo = Repo();

        var messages = await StreamAsync(repo);

        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(messages));
        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Built);
        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Launching && m.Event.Message!.StartsWith("Server ready at /user/", StringComparison.Ordinal));
        Assert.StartsWith(Hub.PublicUrl.AbsoluteUri + "user/", ready.Url);
        Assert.Equal(repo.Url, ready.RepoUrl);
        Assert.Equal($"server running at {ready.Url}\n", ready.Message);
        var user = UserOf(ready);

        var (status, body) = await ServerProbe.StatusAsync(ready.Url!, ready.Token);
        Assert.Equal(200, status);
        Assert.NotNull(JsonNode.Parse(body)?["started"]);
        var options = (await Hub.GetUserAsync(user))?["servers"]?[""]?["user_options"];
        Assert.Equal(ready.Image, (string?)options?["image"]);
        Assert.Equal(ready.BinderPersistentRequest, (string?)options?["binder_persistent_request"]);
    }

    [Fact]
    public async Task RepoQuotaOne_SecondLaunchOfTheRepoRefused_AnotherRepoStillLaunches()
    {
        var busy = Repo();
        var other = Repo();

        var first = await StreamAsync(busy);
        Assert.True(first[^1].Event.Phase == BinderPhase.Ready, Describe(first));
        UserOf(first[^1].Event);

        var second = await StreamAsync(busy);
        var refused = second[^1].Event;
        Assert.Equal(BinderPhase.Failed, refused.Phase);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal($"Too many users running {busy.Url}! Try again soon.\n", refused.Message);
        Assert.DoesNotContain(second, m => m.Event.Phase == BinderPhase.Launching);

        var third = await StreamAsync(other);
        var ready = third[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(third));
        UserOf(ready);
        Assert.Equal(200, (await ServerProbe.StatusAsync(ready.Url!, ready.Token)).Status);
    }

    private GitRepo Repo()
    {
        var repo = GitRepo.Create(new Dictionary<string, string> { ["index.ipynb"] = Notebook, ["README.md"] = Guid.NewGuid().ToString() });
        _repos.Add(repo);
        return repo;
    }

    private Task<List<SseMessage>> StreamAsync(GitRepo repo) =>
        SseClient.ReadBuildAsync(Server.Client, $"build/git/{Uri.EscapeDataString(repo.Url)}/{repo.Head}", StreamTimeout);

    /// <summary>The hub user a <c>ready</c> URL belongs to; remembered for clean-up.</summary>
    private string UserOf(BinderEvent ready)
    {
        var user = ready.Url![(Hub.PublicUrl.AbsoluteUri.Length + "user/".Length)..].TrimEnd('/');
        _hubUsers.Add(user);
        return user;
    }

    private static string Describe(IEnumerable<SseMessage> messages) => string.Join(" | ", messages.Select(m => m.Data));
}
