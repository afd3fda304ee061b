using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Tests.Kubernetes;

public sealed class Repo2DockerLogTests
{
    [Theory]
    [InlineData("""{"phase": "fetching", "message": "Cloning into '/tmp/repo2docker'...\n"}""", "fetching", "Cloning into '/tmp/repo2docker'...\n")]
    [InlineData("""{"phase": "building", "message": "Step 1/20 : FROM docker.io/library/buildpack-deps:jammy"}""", "building", "Step 1/20 : FROM docker.io/library/buildpack-deps:jammy\n")]
    [InlineData("""{"phase": "failed", "message": "Error during build: boom\n", "exc_info": "Traceback"}""", "failed", "Error during build: boom\n")]
    [InlineData("""{"phase": "FAILURE", "message": "Error during build: boom\n"}""", "failed", "Error during build: boom\n")]
    [InlineData("fatal: repository not found", "unknown", "fatal: repository not found\n")]
    [InlineData("[1, 2]", "unknown", "[1, 2]\n")]
    [InlineData("""{"message": "Picked Git content provider.\n"}""", "unknown", "Picked Git content provider.\n")]
    public void Parse_MapsRepo2DockerLinesToEvents(string line, string phase, string message)
    {
        var e = Repo2DockerLog.Parse(line, previousPhase: null)!;
        Assert.Equal(phase, e.Phase);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_PhaselessLine_KeepsThePreviousPhase_AndBlankLinesAreSkipped()
    {
        Assert.Equal(BinderPhase.Building, Repo2DockerLog.Parse("""{"message": "Building conda environment for python=3.11\n"}""", BinderPhase.Building)!.Phase);
        Assert.Null(Repo2DockerLog.Parse("\r", BinderPhase.Building));
    }

    [Fact]
    public void Parse_PushingLine_KeepsItsProgress()
    {
        var e = Repo2DockerLog.Parse("""{"phase": "pushing", "message": "Pushing image\n", "progress": {"sha256:abc": "Pushed"}}""", null)!;
        Assert.Equal("Pushed", (string?)e.Progress?["sha256:abc"]);
    }
}
