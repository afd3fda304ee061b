using BinderOrleans.Docker.Launches;

namespace BinderOrleans.Tests.Docker;

/// <summary>The notebook arguments BinderSpawner adds for <c>cors_allow_origin</c>, as the Docker launcher passes them.</summary>
public sealed class NotebookCorsTests
{
    [Fact]
    public void Origin_AllowOriginForBothServerApps()
    {
        Assert.Equal(["--NotebookApp.allow_origin=https://book.example.org", "--ServerApp.allow_origin=https://book.example.org"],
            NotebookCors.Arguments("https://book.example.org"));
    }

    [Fact]
    public void Star_AlsoAllowOriginPatternForEveryOrigin()
    {
        Assert.Equal(
            ["--NotebookApp.allow_origin=*", "--ServerApp.allow_origin=*", "--NotebookApp.allow_origin_pat=.*", "--ServerApp.allow_origin_pat=.*"],
            NotebookCors.Arguments("*"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Unset_NoArguments(string? origin) => Assert.Empty(NotebookCors.Arguments(origin));
}
