using System.Text.Json.Nodes;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Server.Build;

namespace BinderOrleans.Tests.Kubernetes;

/// <summary>The buildpacks build pod's command line (formatted by the service, parsed by the image) and its log lines.</summary>
public sealed class BuildpacksCommandTests
{
    [Fact]
    public void Arguments_ParseBackToTheSameRequest_EvenWhenValuesLookLikeOptions()
    {
        var request = KubeRig.Request(repoUrl: "--upload-pack=touch /tmp/x") with { ResolvedRef = "--help", ImageName = "--version" };
        var args = BuildpacksCommand.Arguments(request, push: true);

        Assert.Equal("build", args[0]);
        Assert.All(args[1..], a => Assert.StartsWith("--", a));
        var (parsed, push, configuration, error) = BuildpacksCommand.Parse([.. args, "--Build:BaseImage=base:1"], "username=bot\npassword=x");
        Assert.Null(error);
        Assert.True(push);
        Assert.Equal(request with { ProviderName = null, GitCredentials = "username=bot\npassword=x" }, parsed);
        Assert.Equal(["--Build:BaseImage=base:1"], configuration);
    }

    [Theory]
    [InlineData("missing --ref, --image.", "build", "--repo=https://example.org/r")]
    [InlineData("unknown argument '--rm'.", "build", "--repo=https://example.org/r", "--rm")]
    [InlineData("unknown argument 'https://example.org/r'.", "build", "https://example.org/r")]
    public void Parse_RefusesWhatIsNotItsOwn_WithUsage(string expected, params string[] args)
    {
        var (request, _, _, error) = BuildpacksCommand.Parse(args, null);
        Assert.Null(request);
        Assert.StartsWith(expected, error);
        Assert.EndsWith(BuildpacksCommand.Usage, error);
    }

    [Fact]
    public void Lines_AreRepo2DockersJsonLogs_ThatTheBuildPodWatcherReadsBackAsTheSameEvents()
    {
        BinderEvent[] events =
        [
            BinderEvent.Of(BinderPhase.Fetching, "Cloning into '/tmp/x'..."),
            BinderEvent.Of(BinderPhase.Building, "Step 1/2 : FROM base <\"quoted\">"),
            new() { Phase = BinderPhase.Pushing, Message = "Pushing\n", Progress = JsonNode.Parse("""{"abc": {"current": 1, "total": 2}}""") },
            BinderEvent.Failed("Error during build: no"),
        ];
        string? phase = null;
        foreach (var e in events)
        {
            var line = BuildCommand.Line(e);
            Assert.DoesNotContain('\n', line);
            var json = JsonNode.Parse(line)!.AsObject();
            Assert.Equal(e.Phase, (string?)json["phase"]);
            var read = Repo2DockerLog.Parse(line, phase)!;
            Assert.Equal(e.Phase, read.Phase);
            Assert.Equal(e.Message, read.Message);
            Assert.Equal(e.Progress?.ToJsonString(), read.Progress?.ToJsonString());
            phase = read.Phase;
        }
    }

    [Fact]
    public async Task BuildCommand_WithBadArguments_PrintsOneFailedLine_AndExitsWith2()
    {
        using var output = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var exit = await BuildCommand.RunAsync(["build", "--repo=https://example.org/r"], output, timeout.Token);

        Assert.Equal(2, exit);
        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var e = Repo2DockerLog.Parse(line, null)!;
        Assert.Equal(BinderPhase.Failed, e.Phase);
        Assert.StartsWith("missing --ref, --image.", e.Message);
    }
}
