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

    [Fact]
    public void SchemeCheck_IgnoresCase()
    {
        Assert.Equal("HTTPS://example.org/r", Parse("HTTPS%3A%2F%2Fexample.org%2Fr/main").Url);
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
