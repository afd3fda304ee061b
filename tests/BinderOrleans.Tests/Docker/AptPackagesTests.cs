using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

public sealed class AptPackagesTests
{
    [Fact]
    public void Parse_CommentsBlankLinesAndDuplicates_SortedDistinctNames()
    {
        var (packages, error) = AptPackages.Parse("# tools\nzlib1g-dev\n\n  curl   # for downloads\ncurl\r\nlibc6:amd64\npython3-six=1.16.0-4\n");

        Assert.Null(error);
        Assert.Equal(["curl", "libc6:amd64", "python3-six=1.16.0-4", "zlib1g-dev"], packages);
    }

    [Theory]
    [InlineData("apt-get install -y foo")]
    [InlineData("foo; rm -rf /")]
    [InlineData("Foo")]
    [InlineData("$(id)")]
    public void Parse_LineThatIsNotAPackageName_ErrorNamesTheLine(string bad)
    {
        var (packages, error) = AptPackages.Parse($"curl\n{bad}\n");

        Assert.Empty(packages);
        Assert.NotNull(error);
        Assert.Contains("line 2", error);
        Assert.Contains(bad.Trim(), error);
    }

    [Fact]
    public void Parse_OnlyComments_NoPackages()
    {
        var (packages, error) = AptPackages.Parse("# nothing\n\n");

        Assert.Null(error);
        Assert.Empty(packages);
    }
}

public sealed class AptPackagesLineTests
{
    [Fact]
    public void Parse_SeveralNamesOnALine_AllInstalled()
    {
        var (packages, error) = AptPackages.Parse("less curl   # two tools\nzip\n");

        Assert.Null(error);
        Assert.Equal(["curl", "less", "zip"], packages);
    }

    [Fact]
    public void Parse_BadWordAmongGoodOnes_ErrorNamesLineAndWord()
    {
        var (packages, error) = AptPackages.Parse("curl\nless ;reboot\n");

        Assert.Empty(packages);
        Assert.Contains("line 2", error);
        Assert.Contains("';reboot'", error);
    }
}
