using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

public sealed class PipRequirementsTests
{
    [Theory]
    [InlineData("-e .")]
    [InlineData("--editable=.")]
    [InlineData("-r other.txt")]
    [InlineData("--requirement other.txt")]
    [InlineData("-c constraints.txt")]
    [InlineData("--constraint=constraints.txt")]
    [InlineData("./vendor/pkg")]
    [InlineData("file:///srv/pkg.whl")]
    [InlineData("--find-links=./wheels")]
    [InlineData("numpy\n\n-e ./mypkg  # local")]
    public void HasLocalReference_LocalLine_True(string text) => Assert.True(PipRequirements.HasLocalReference(text));

    [Theory]
    [InlineData("numpy==1.26\npandas>=2")]
    [InlineData("# -e .\nsix")]
    [InlineData("git+https://example.org/x.git#egg=x")]
    [InlineData("--index-url=https://pypi.example.org/simple\nrequests")]
    [InlineData("")]
    public void HasLocalReference_RemoteOnly_False(string text) => Assert.False(PipRequirements.HasLocalReference(text));
}

public sealed class PipRequirementsOptionValueTests
{
    [Theory]
    [InlineData("--find-links ./wheels")]
    [InlineData("-f ./wheels")]
    [InlineData("--find-links\t../wheels")]
    [InlineData("-e git+file:///srv/repo#egg=x")]
    [InlineData("--index-url file:///srv/simple")]
    public void IsLocal_OptionWithLocalValueAfterASpace_True(string line) => Assert.True(PipRequirements.IsLocal(line));

    [Theory]
    [InlineData("--pre")]
    [InlineData("--find-links https://example.org/wheels")]
    [InlineData("-i https://pypi.example.org/simple")]
    [InlineData("--no-binary :all:")]
    public void IsLocal_OptionWithRemoteOrNoValue_False(string line) => Assert.False(PipRequirements.IsLocal(line));

    [Fact]
    public void HasLocalReference_FindLinksWithSpace_InstalledAfterCopy()
    {
        using var tree = new TempTree(new() { ["requirements.txt"] = "--find-links ./wheels\nmypkg==1.0\n" });

        var (plan, _) = BuildpackDetector.Detect(tree.Root);

        Assert.True(Assert.IsType<BuildPlan.Python>(plan).RequirementsAfterCopy);
    }
}
