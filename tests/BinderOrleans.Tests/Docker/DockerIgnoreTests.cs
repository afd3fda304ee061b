using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.csv", "data.csv", true)]
    [InlineData("*.csv", "dir/data.csv", false)]
    [InlineData("**/*.csv", "dir/sub/data.csv", true)]
    [InlineData("**/*.csv", "data.csv", true)]
    [InlineData("data", "data/x/y.txt", true)]
    [InlineData("/data/", "data/y.txt", true)]
    [InlineData("./data", "data", true)]
    [InlineData("d?ta", "data", true)]
    [InlineData("[a-c]at", "bat", true)]
    [InlineData("[!a-c]at", "bat", false)]
    [InlineData("data", "database", false)]
    [InlineData("# comment", "# comment", false)]
    [InlineData("a.b", "axb", false)]
    public void IsExcluded_Pattern_MatchesLikeDocker(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));

    [Fact]
    public void IsExcluded_LaterException_ReIncludes()
    {
        var ignore = DockerIgnore.Parse("*.md\n!README.md\n");

        Assert.True(ignore.IsExcluded("notes.md"));
        Assert.False(ignore.IsExcluded("README.md"));
    }
}
