using System.Text.Json;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Providers;

/// <summary>The gist and gl providers inside the real server, against the fake GitHub and GitLab: what a browser's stream shows.</summary>
public sealed class GistAndGitLabThroughServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private FakeGitHubServer _github = null!;
    private FakeGitLabServer _gitlab = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHubServer.StartAsync();
        _gitlab = await FakeGitLabServer.StartAsync();
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:GitHub:ApiBaseUrl"] = _github.BaseUri.ToString(),
            ["Providers:GitHub:AccessToken"] = "server-token",
            ["Providers:GitLab:ApiBaseUrl"] = _gitlab.BaseUri.ToString(),
            ["Providers:GitLab:PrivateToken"] = "glpat-server",
            ["Logging:LogLevel:Default"] = "Warning",
        }, ResolveOnlyBackends.Use).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _gitlab.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task Gist_LaunchesItsNewestVersion_WithBinderHubUrls()
    {
        var versions = _github.SetGist("octo", "aa5a315d61ae9438b18d", revisions: 2);

        var messages = await SseClient.ReadBuildAsync(_server.Client, "build/gist/octo/aa5a315d61ae9438b18d", Timeout);

        var events = messages.Select(m => m.Event).ToList();
        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "aa5a315d61ae9438b18d", versions[0]), events[0].ImageName);
        var ready = events[^1];
        Assert.Equal("https://gist.github.com/octo/aa5a315d61ae9438b18d.git", ready.RepoUrl);
        Assert.Equal($"https://gist.github.com/octo/aa5a315d61ae9438b18d/{versions[0]}", ready.BinderRefUrl);
        Assert.Equal($"v2/gist/octo/aa5a315d61ae9438b18d/{versions[0]}", ready.BinderPersistentRequest);
        Assert.Equal("token server-token", Assert.Single(_github.Requests).Authorization);
    }

    [Fact]
    public async Task PrivateGitLabProject_LaunchesWithThePrivateToken_WithBinderHubUrls()
    {
        _gitlab.ValidPrivateToken = "glpat-server";
        var sha = _gitlab.SetRef("group/sub/my-repo", "main", isPrivate: true);

        var messages = await SseClient.ReadBuildAsync(_server.Client, "build/gl/group%2Fsub%2Fmy-repo/main", Timeout);

        var events = messages.Select(m => m.Event).ToList();
        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "group-sub-my_-repo", sha), events[0].ImageName);
        var ready = events[^1];
        Assert.Equal("https://gitlab.com/group/sub/my-repo.git", ready.RepoUrl);
        Assert.Equal($"https://gitlab.com/group/sub/my-repo/tree/{sha}", ready.BinderRefUrl);
        Assert.Equal($"v2/gl/group%2Fsub%2Fmy-repo/{sha}", ready.BinderPersistentRequest);
        Assert.Equal("glpat-server", Assert.Single(_gitlab.Requests).PrivateToken);
    }

    [Fact]
    public async Task MissingGitLabRef_EndsTheStreamWithOneNotFound()
    {
        var messages = await SseClient.ReadBuildAsync(_server.Client, "build/gl/g%2Fp/nope", Timeout);

        var only = Assert.Single(messages).Event;
        Assert.Equal(BinderPhase.Failed, only.Phase);
        Assert.Equal(404, only.StatusCode);
        Assert.StartsWith("Could not resolve ref for gl:g%2Fp/nope. Double check your URL and that your repo is public.", only.Message);
    }

    [Fact]
    public async Task RepoProviders_ListsBinderHubsOrder_WithTheNewDisplayConfigs()
    {
        var json = await _server.Client.GetStringAsync("api/repoproviders").WaitAsync(Timeout);

        using var doc = JsonDocument.Parse(json);
        var providers = doc.RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal(["gh", "gist", "git", "gl", "zenodo", "figshare", "hydroshare", "dataverse", "ckan", "bitbucket"], doc.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.True(providers["gl"].GetProperty("repo").GetProperty("urlEncode").GetBoolean());
        Assert.False(providers["gist"].GetProperty("repo").GetProperty("urlEncode").GetBoolean());
        Assert.Equal("HEAD", providers["gl"].GetProperty("ref").GetProperty("default").GetString());
        Assert.Equal("[^/]+/[^/]+(/[^/]+)?", providers["gist"].GetProperty("spec").GetProperty("validateRegex").GetString());
    }
}
