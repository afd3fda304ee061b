using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Providers;

/// <summary>The bitbucket provider inside the real server, against the fake Bitbucket API.</summary>
public sealed class BitbucketProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private FakeBitbucketServer _bitbucket = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _bitbucket = await FakeBitbucketServer.StartAsync();
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Bitbucket:ApiBaseUrl"] = _bitbucket.BaseUri.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        }, ResolveOnlyBackends.Use).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _bitbucket.DisposeAsync();
    }

    [Fact]
    public async Task Head_IsTheMainBranch_WithClonableAndBrowsableUrls()
    {
        var sha = _bitbucket.AddRepository("team", "analysis", mainBranch: "trunk");

        var events = await BuildAsync("team/analysis/HEAD");

        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "team-analysis", sha), events[0].ImageName);
        Assert.Equal("https://bitbucket.org/team/analysis.git", events[^1].RepoUrl);
        Assert.Equal($"https://bitbucket.org/team/analysis/src/{sha}", events[^1].BinderRefUrl);
        Assert.Equal($"v2/bitbucket/team/analysis/{sha}", events[^1].BinderPersistentRequest);
    }

    [Fact]
    public async Task TagAndCommit_ResolveToTheirCommits()
    {
        _bitbucket.AddRepository("team", "tags");
        var tagged = _bitbucket.AddRef("team", "tags", "tags", "v1.0");

        Assert.Equal(ImageNaming.ImageName("", "team-tags", tagged), (await BuildAsync("team/tags/v1.0"))[0].ImageName);
        Assert.Equal(ImageNaming.ImageName("", "team-tags", tagged), (await BuildAsync($"team/tags/{tagged}"))[0].ImageName);
    }

    [Fact]
    public async Task MissingRepositoryOrRef_IsNotFound()
    {
        _bitbucket.AddRepository("team", "present");

        foreach (var spec in (string[])["team/absent/HEAD", "team/present/no-such-branch"])
        {
            var only = Assert.Single(await BuildAsync(spec));
            Assert.Equal(BinderPhase.Failed, only.Phase);
            Assert.Equal(404, only.StatusCode);
            Assert.StartsWith($"Could not resolve ref for bitbucket:{spec}.", only.Message);
        }
    }

    [Fact]
    public async Task MalformedSpec_IsRefusedWith400()
    {
        var only = Assert.Single(await BuildAsync("team/only-two"));

        Assert.Equal(400, only.StatusCode);
    }

    private async Task<List<BinderEvent>> BuildAsync(string spec) =>
        (await SseClient.ReadBuildAsync(_server.Client, "build/bitbucket/" + spec, Timeout)).Select(m => m.Event).ToList();
}
