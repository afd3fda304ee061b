using BinderOrleans.Server.Ui;

namespace BinderOrleans.Tests.Ui;

public sealed class LegacyRepoRedirectTests
{
    [Theory]
    [InlineData("a", "b", null, "/v2/gh/a/b/master")]
    [InlineData("a", "b", "", "/v2/gh/a/b/master")]
    [InlineData("a", "b", "notebooks/x.ipynb", "/v2/gh/a/b/master?urlpath=%2Fnotebooks%2Fx.ipynb")]
    [InlineData("a", "b", "/has space/ünicode.ipynb", "/v2/gh/a/b/master?urlpath=%2Fhas+space%2F%C3%BCnicode.ipynb")]
    [InlineData("a", "b", "tree?x=1&y=2", "/v2/gh/a/b/master?urlpath=%2Ftree%3Fx%3D1%26y%3D2")]
    public void Location_PathGiven_BecomesFormEncodedUrlpath(string user, string repo, string? path, string expected) =>
        Assert.Equal(expected, LegacyRepoRedirect.Location("/", user, repo, path));

    [Fact]
    public void Location_UnderBaseUrl_KeepsTheBase() =>
        Assert.Equal("/binder/v2/gh/a/b/master", LegacyRepoRedirect.Location("/binder/", "a", "b", null));
}
