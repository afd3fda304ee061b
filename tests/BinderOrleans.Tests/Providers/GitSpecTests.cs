using BinderOrleans.Core.Providers.Git;

namespace BinderOrleans.Tests.Providers;

public sealed class GitSpecTests
{
    private static readonly string[] Default = ["http", "https", "git", "ssh"];

    private static GitSpec Parse(string spec)
    {
        Assert.True(GitSpec.TryParse(spec, Default, out var parsed, out var error), error?.Message);
        return parsed;
    }

    private static int Refused(string spec, string[]? schemes = null)
    {
        Assert.False(GitSpec.TryParse(spec, schemes ?? Default, out _, out var error));
        return error!.StatusCode;
    }

    [Fact]
    public void BinderHubForm_SplitsAtTheFirstSlash_AndUnescapes()
    {
        var spec = Parse("https%3A%2F%2Fgithub.com%2Fbinder-examples%2Fconda/feature%2Fx");

        Assert.Equal("https://github.com/binder-examples/conda", spec.Url);
        Assert.Equal("https%3A%2F%2Fgithub.com%2Fbinder-examples%2Fconda", spec.EscapedUrl);
        Assert.Equal("feature/x", spec.Ref);
    }

    [Fact]
    public void RefWithRawSlashes_StaysWhole()
    {
        Assert.Equal("feature/x", Parse("https%3A%2F%2Fexample.org%2Fr.git/feature/x").Ref);
    }

    [Fact]
    public void UnescapedUrl_IsSplitAtTheLastSlash_AndEscapedForTheResolvedSpec()
    {
        var spec = Parse("https://example.org/group/repo.git/main");

        Assert.Equal("https://example.org/group/repo.git", spec.Url);
        Assert.Equal("main", spec.Ref);
        Assert.Equal("https%3A%2F%2Fexample.org%2Fgroup%2Frepo.git", spec.EscapedUrl);
    }

    [Fact]
    public void ScpStyleUrl_BecomesSsh()
    {
        var spec = Parse("git%40github.com%3Abinder-examples%2Fconda.git/main");

        Assert.Equal("ssh://git@github.com/binder-examples/conda.git", spec.Url);
        Assert.Equal("git%40github.com%3Abinder-examples%2Fconda.git", spec.EscapedUrl);
    }

    [Theory]
    [InlineData("ext%3A%3Ash%20-c%20touch%25%20%2Ftmp%2Fx/main")]
    [InlineData("file%3A%2F%2F%2Ftmp%2Frepo/main")]
    [InlineData("%2Ftmp%2Frepo/main")]
    [InlineData("fd%3A%3A3/main")]
    [InlineData("HTTPX%3A%2F%2Fexample.org/main")]
    public void SchemesOutsideTheAllowList_AreRefused(string spec)
    {
        Assert.Equal(400, Refused(spec));
    }

    [Theory]
    [InlineData("HTTPS%3A%2F%2Fexample.org%2Fr/main", "https://example.org/r")]
    [InlineData("gIt%3A%2F%2FExample.ORG%2FR.git/main", "git://example.org/R.git")]
    [InlineData("HTTP%3A%2F%2F127.0.0.1%3A9%2Fx/HEAD", "http://127.0.0.1:9/x")]
    public void SchemeCheck_IgnoresCase_AndGitGetsTheCanonicalLowerCaseUrl(string spec, string url)
    {
        // Issue 11: git's GIT_ALLOW_PROTOCOL is case-sensitive, so the raw "gIt://" passed our check and failed in git (502).
        Assert.Equal(url, Parse(spec).Url);
    }

    [Theory]
    [InlineData("http%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("http%3A/127.0.0.1/x/HEAD")]
    [InlineData("https%3A/HEAD")]
    [InlineData("git%3A/HEAD")]
    [InlineData("ssh%3A/HEAD")]
    [InlineData("HTTP%3A/HEAD")]
    [InlineData("gIt%3A/HEAD")]
    [InlineData("http%3Aexample.org%2Fr/HEAD")]
    [InlineData("https%3A%2F%2F/main")]
    [InlineData("https%3A%2F%2F%2Fpath/main")]
    [InlineData("ssh%3A%2F%2Fuser%40%2Fr/main")]
    public void SchemeWithoutAnExplicitHost_IsRefused(string spec)
    {
        // Issue 11: git reads "http:" as scp-style host "http" and runs ssh to it.
        Assert.Equal(400, Refused(spec));
    }

    [Theory]
    [InlineData("github.com%3Aorg%2Frepo/main")]
    [InlineData("%40github.com%3Aorg%2Frepo/main")]
    [InlineData("git%40%3Aorg%2Frepo/main")]
    [InlineData("-oProxyCommand%3Dx%40host%3Arepo/main")]
    [InlineData("git%40-oProxyCommand%3Dx%3Arepo/main")]
    [InlineData("git%40host%3A/main")]
    [InlineData("gi%C3%AF%40host%3Arepo/main")]
    public void ScpFormWithoutUserAndHost_IsRefused(string spec)
    {
        Assert.Equal(400, Refused(spec));
    }

    [Theory]
    [InlineData("ssh%3A%2F%2F-oProxyCommand%3Dx%2Fr/main")]
    [InlineData("ssh%3A%2F%2F%2DoProxyCommand%3Dx%2Fr/main")]
    [InlineData("ssh%3A%2F%2F-oProxyCommand%3Dtouch%20x%2Fr/main")]
    [InlineData("ssh%3A%2F%2F-user%40host%2Fr/main")]
    [InlineData("https%3A%2F%2Fevil.example%23%40good.example%2Fr/main")]
    [InlineData("https%3A%2F%2Fevil.example%3F%40good.example%2Fr/main")]
    [InlineData("https%3A%2F%2Fa%40b%40c%2Fr/main")]
    [InlineData("https%3A%2F%2Fexample.org%3A0%2Fr/main")]
    [InlineData("https%3A%2F%2Fexample.org%3A99999%2Fr/main")]
    [InlineData("https%3A%2F%2Fexample.org%3Ahttp%2Fr/main")]
    [InlineData("https%3A%2F%2Fexample.org%3A%2Fr/main")]
    [InlineData("https%3A%2F%2Fexample.org%5C%40other%2Fr/main")]
    [InlineData("https%3A%2F%2Fexample.org%20%2Fr/main")]
    [InlineData("https%3A%2F%2F%C3%A9xample.org%2Fr/main")]
    [InlineData("file%3A%2F%2Fhost%2Ftmp%2Frepo/main")]
    public void MalformedOrAmbiguousAuthorities_AreRefused(string spec)
    {
        Assert.Equal(400, Refused(spec, ["http", "https", "git", "ssh", "file"]));
    }

    [Theory]
    [InlineData("ssh%3A%2F%2Fgit%40Example.org%3A2222%2Fr.git/main", "ssh://git@example.org:2222/r.git")]
    [InlineData("https%3A%2F%2Fuser%3Ap%2540ss%40example.org%2Fr/main", "https://user:p%40ss@example.org/r")]
    [InlineData("http%3A%2F%2F%5B%3A%3A1%5D%3A8080%2Fr/main", "http://[::1]:8080/r")]
    [InlineData("https%3A%2F%2Fexample.org/main", "https://example.org")]
    public void WellFormedUrls_AreKept_WithTheHostLowerCased(string spec, string url)
    {
        Assert.Equal(url, Parse(spec).Url);
    }

    [Fact]
    public void FileScheme_IsAllowedWhenConfigured()
    {
        Assert.True(GitSpec.TryParse("file%3A%2F%2F%2Ftmp%2Frepo/main", ["file"], out var parsed, out _));
        Assert.Equal("file:///tmp/repo", parsed.Url);
    }

    [Theory]
    [InlineData("https%3A%2F%2Fexample.org%2Fr/--upload-pack=touch%20%2Ftmp%2Fpwned")]
    [InlineData("https%3A%2F%2Fexample.org%2Fr/-h")]
    [InlineData("https%3A%2F%2Fexample.org%2Fr/%2Dh")]
    public void RefsThatLookLikeOptions_AreRefused(string spec)
    {
        Assert.False(GitSpec.TryParse(spec, Default, out _, out var error));
        Assert.Equal(400, error!.StatusCode);
        Assert.Contains("cannot start with \"-\"", error.Message);
    }

    [Theory]
    [InlineData("ssh%3A%2F%2F-oProxyCommand%3Dtouch%20x%2Fr/main")]
    [InlineData("ssh%3A%2F%2Fuser%40-oProxyCommand%3Dx%2Fr/main")]
    public void HostsThatLookLikeOptions_AreRefused(string spec)
    {
        Assert.Equal(400, Refused(spec));
    }

    [Theory]
    [InlineData("https%3A%2F%2Fexample.org%2Fr/ma*")]
    [InlineData("https%3A%2F%2Fexample.org%2Fr/ma%0Ain")]
    [InlineData("https%3A%2F%2Fexample.org%2Fr")]
    [InlineData("https%3A%2F%2Fexample.org%2Fr/")]
    public void GlobsControlCharactersAndMissingRefs_AreRefused(string spec)
    {
        Assert.Equal(400, Refused(spec));
    }

    [Fact]
    public void MissingRef_HintsAtHead()
    {
        Assert.False(GitSpec.TryParse("https%3A%2F%2Fexample.org%2Fr", Default, out _, out var error));
        Assert.Contains("Did you mean \"https%3A%2F%2Fexample.org%2Fr/HEAD\"?", error!.Message);
    }
}
