using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Providers;

/// <summary>The gh provider inside the real server, against the fake GitHub: what a browser's stream shows.</summary>
public sealed class GitHubThroughServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private FakeGitHubServer _github = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHubServer.StartAsync();
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:GitHub:ApiBaseUrl"] = _github.BaseUri.ToString(),
            ["Providers:GitHub:AccessToken"] = "server-token",
            ["Logging:LogLevel:Default"] = "Warning",
        }, ResolveOnlyBackends.Use).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task RenamedBranch_ShowsTheNoticeAsWaiting_ThenLaunchesHead()
    {
        var head = _github.SetRef("binder-examples", "requirements", "HEAD");

        var messages = await SseClient.ReadBuildAsync(_server.Client, "build/gh/binder-examples/requirements/master", Timeout);

        var events = messages.Select(m => m.Event).ToList();
        Assert.Equal([BinderPhase.Waiting, BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.EndsWith("Trying again with HEAD instead of master. Please update your links.\n", events[0].Message);
        Assert.Equal(ImageNaming.ImageName("", "binder-examples-requirements", head), events[1].ImageName);
        var ready = events[^1];
        Assert.Equal("https://github.com/binder-examples/requirements", ready.RepoUrl);
        Assert.Equal($"https://github.com/binder-examples/requirements/tree/{head}", ready.BinderRefUrl);
        Assert.Equal($"v2/gh/binder-examples/requirements/{head}", ready.BinderPersistentRequest);
        Assert.All(_github.Requests, r => Assert.Equal("token server-token", r.Authorization));
    }

    [Fact]
    public async Task RateLimitRemaining_IsPublishedAsBinderHubsGauge()
    {
        _github.SetRef("o", "gauge", "HEAD");
        await SseClient.ReadBuildAsync(_server.Client, "build/gh/o/gauge/HEAD", Timeout);

        var metrics = await _server.Client.GetStringAsync("metrics");
        Assert.Contains($"binderhub_github_rate_limit_remaining {_github.Remaining}\n", metrics);
        Assert.True(_github.Remaining < 5000);
    }

    [Fact]
    public async Task SpentRateLimit_EndsTheStreamWithOneFailure()
    {
        _github.SetRef("o", "r", "HEAD");
        _github.RateLimitedUntil = DateTimeOffset.UtcNow.AddMinutes(12);

        var messages = await SseClient.ReadBuildAsync(_server.Client, "build/gh/o/r/HEAD", Timeout);

        var only = Assert.Single(messages).Event;
        Assert.Equal(BinderPhase.Failed, only.Phase);
        Assert.Equal(429, only.StatusCode);
        Assert.Matches(@"^Error resolving ref for gh:o/r/HEAD: GitHub rate limit exceeded\. Try again in 15 minutes\.\n$", only.Message);
    }
}
