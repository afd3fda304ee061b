using BinderOrleans.JupyterHub.Api;
using BinderOrleans.JupyterHub.Launches;

namespace BinderOrleans.Tests.JupyterHub;

public sealed class HubNamesTests
{
    [Theory]
    [InlineData("https://github.com/binder-examples/requirements", "binder-examples-requirements")]
    [InlineData("https://github.com/Binder-Examples/Requirements.git", "binder-examples-requirements")]
    [InlineData("https://gitlab.com/group/sub/project/?x=1#top", "group-sub-project")]
    [InlineData("git@github.com:someone/thing.git", "someone-thing")]
    [InlineData("file:///tmp/binder-test-repo-x1", "tmp-binder-test-repo-x1")]
    [InlineData("10.5281/zenodo.3242074", "10.5281-zenodo.3242074")]
    [InlineData("https://github.com/a-long-organisation-name/an-even-longer-repository-name", "a-long-organisa-repository-name")]
    public void UniqueNameFromRepo_FollowsBinderHubsRule(string repoUrl, string prefix)
    {
        var name = HubNames.UniqueNameFromRepo(repoUrl);

        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(prefix)}-[a-z0-9]{{8}}$", name);
    }

    [Fact]
    public void UniqueNameFromRepo_SameRepo_DifferentNames()
    {
        var names = Enumerable.Range(0, 20).Select(_ => HubNames.UniqueNameFromRepo("https://github.com/a/b")).ToHashSet();

        Assert.Equal(20, names.Count);
    }

    [Fact]
    public void NewServerToken_Is22UrlSafeCharactersAndRandom()
    {
        var tokens = Enumerable.Range(0, 20).Select(_ => HubNames.NewServerToken()).ToList();

        Assert.All(tokens, t => Assert.Matches("^[A-Za-z0-9_-]{22}$", t));
        Assert.Equal(20, tokens.Distinct().Count());
    }

    [Theory]
    [InlineData("plain-name", "plain-name")]
    [InlineData("mail@example.org", "mail@example.org")]
    [InlineData("tilde~ok", "tilde~ok")]
    [InlineData("a b/c%", "a%20b%2Fc%25")]
    public void Escape_KeepsWhatJupyterHubKeeps(string name, string escaped) => Assert.Equal(escaped, HubPaths.Escape(name));

    [Fact]
    public void Paths_DefaultAndNamedServers()
    {
        Assert.Equal("users/u/servers/", HubPaths.Server("u", ""));
        Assert.Equal("users/u/servers/s", HubPaths.Server("u", "s"));
        Assert.Equal("users/u/server/progress", HubPaths.Progress("u", ""));
        Assert.Equal("users/u/servers/s/progress", HubPaths.Progress("u", "s"));
        Assert.Equal("user/u/", HubPaths.PublicServer("u", ""));
        Assert.Equal("user/u/s/", HubPaths.PublicServer("u", "s"));
    }
}
