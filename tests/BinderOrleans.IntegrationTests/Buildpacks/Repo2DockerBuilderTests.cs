using System.Text.Json;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Buildpacks;

/// <summary>
/// <c>Build:Builder = repo2docker</c> on the real engine: the builder container is a stand-in image
/// (<see cref="StandIns.Repo2Docker"/>) that speaks repo2docker's command line and JSON log contract, clones the
/// repository over HTTP from 127.0.0.1 and builds through the mounted engine socket. The real repo2docker image
/// cannot be pulled here.
/// </summary>
[Collection(BuildpackBuildCollection.Name)]
public sealed class Repo2DockerBuilderTests(BuildpackBuildFixture fixture) : IDisposable
{
    private GitRepo? _repo;

    public void Dispose() => _repo?.Dispose();

    private async Task<(Repo2DockerImageBuilder Builder, DockerOptions Docker)> BuilderAsync()
    {
        var image = await fixture.Repo2DockerStandInAsync();
        var docker = new DockerOptions { Labels = new() { [DockerSandbox.LabelKey] = fixture.Sandbox.RunId }, WorkDirectory = fixture.Sandbox.WorkDirectory };
        var build = new BuildOptions { Builder = BuildOptions.Repo2DockerBuilder, Repo2DockerImage = image };
        return (new Repo2DockerImageBuilder(fixture.Engine, Options.Create(docker), Options.Create(build), NullLogger<Repo2DockerImageBuilder>.Instance), docker);
    }

    [Fact]
    public async Task Build_RunsRepo2DockerWithBinderHubsCommandLine_RelaysItsJsonLog_RemovesTheContainer()
    {
        _repo = GitRepo.Create(new Dictionary<string, string> { ["index.ipynb"] = "{\"from\": \"the repository\"}" });
        var url = fixture.ServeGit(_repo, "r2d-ok");
        var (builder, _) = await BuilderAsync();
        var request = new BuildRequest($"binderorleans-test-{fixture.Sandbox.RunId}-r2d:{_repo.Head[..12]}", "build-test-r2d", url, _repo.Head, "git",
            GitCredentials: "username=x\npassword=y");

        var events = await fixture.BuildAsync(builder, request);

        BuildpackBuildFixture.AssertBuilt(events);
        // JSON lines keep their phase; a line without one keeps the phase before it; a plain stderr line is 'unknown'.
        Assert.Equal(BinderPhase.Unknown, events[0].Phase);
        Assert.Equal("Picked Git content provider.\n", events[0].Message);
        Assert.Contains(events, e => e.Phase == BinderPhase.Fetching && e.Message!.StartsWith("Cloning into", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Phase == BinderPhase.Building && e.Message == "Using PythonBuildPack builder\n");
        Assert.Contains(events, e => e.Phase == BinderPhase.Building && e.Message!.Contains(" : COPY --chown=1000:1000 . /home/jovyan/", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Phase == BinderPhase.Unknown && e.Message == $"stand-in: built {request.ImageName}\n");

        var labels = (await fixture.InspectAsync(request.ImageName)).Config!.Labels!;
        Assert.Equal(
            [
                $"--ref={_repo.Head}", $"--image={request.ImageName}", "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan", "--user-id=1000",
                $"--label={DockerSandbox.LabelKey}={fixture.Sandbox.RunId}", url,
            ],
            JsonSerializer.Deserialize<string[]>(labels["standin.argv"])!);
        Assert.Equal("set", labels["standin.git-credential"]);
        Assert.Equal(_repo.Head, labels[DockerLabels.Ref]);
        var (exit, output) = await fixture.RunAsync(request.ImageName, "bash", "-c", "id -un; cat ~/index.ipynb");
        Assert.Equal(0, exit);
        Assert.Equal("jovyan\n{\"from\": \"the repository\"}", output.TrimEnd('\n'));
        Assert.Empty(await fixture.Sandbox.ContainerIdsAsync(DockerLabels.Repo2DockerBuild));
    }

    [Fact]
    public async Task Build_Repo2DockerReportsFailure_FailedEventCarriesItsError_NothingLeft()
    {
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {BuildOptions.DefaultBaseImage}\nRUN echo about to fail && exit 3\n",
        });
        var url = fixture.ServeGit(_repo, "r2d-fail");
        var (builder, _) = await BuilderAsync();
        var request = new BuildRequest($"binderorleans-test-{fixture.Sandbox.RunId}-r2dfail:{_repo.Head[..12]}", "build-test-r2dfail", url, _repo.Head, "git");

        var events = await fixture.BuildAsync(builder, request);

        var failed = Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.Same(failed, events[^1]);
        Assert.Equal("Error during build: The command '/bin/sh -c echo about to fail && exit 3' returned a non-zero code: 3\n", failed.Message);
        Assert.Contains(events, e => e.Phase == BinderPhase.Building && e.Message == "about to fail\n");
        Assert.Empty(await fixture.Sandbox.ContainerIdsAsync(DockerLabels.Repo2DockerBuild));
        using var timeout = new CancellationTokenSource(BuildpackBuildFixture.CallTimeout);
        Assert.Null(await fixture.Engine.FindImageAsync(request.ImageName, timeout.Token));
    }

    [Fact]
    public async Task Build_UnreachableRepository_FailsWithRepo2DockersMessage()
    {
        var (builder, _) = await BuilderAsync();
        var url = new Uri(fixture.FileServer, "git/nothing-here.git").AbsoluteUri;
        var request = new BuildRequest($"binderorleans-test-{fixture.Sandbox.RunId}-r2dmissing:0123456789ab", "build-test-r2dmissing", url,
            "0123456789abcdef0123456789abcdef01234567", "git");

        var events = await fixture.BuildAsync(builder, request);

        Assert.Equal($"Error during build: Failed to clone repository from {url}\n", Assert.Single(events, e => e.Phase == BinderPhase.Failed).Message);
        Assert.Contains(events, e => e.Phase == BinderPhase.Fetching);
        Assert.Empty(await fixture.Sandbox.ContainerIdsAsync(DockerLabels.Repo2DockerBuild));
    }
}
