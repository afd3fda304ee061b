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
