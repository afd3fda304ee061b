using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>The Docker image builder on its own (as the build grain drives it): cancellation and fetch failures.</summary>
[Collection(DockerBackendCollection.Name)]
public sealed class ImageBuilderTests(DockerBackendFixture fixture) : IDisposable
{
    private GitRepo? _repo;

    public void Dispose() => _repo?.Dispose();

    private IImageBuilder Builder => fixture.Server.Services.GetRequiredService<IImageBuilder>();

    private BuildRequest Request(GitRepo repo, string commit, string name) =>
        new($"binderorleans-test-{fixture.Sandbox.RunId}-{name}:{commit[..12]}", $"build-test-{name}", repo.Url, commit, "git");

    [Fact]
    public async Task Build_Cancelled_StopsTheBuildAndLeavesNothing()
    {
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"""
                FROM binderorleans-base:bookworm
                LABEL {DockerSandbox.LabelKey}="{fixture.Sandbox.RunId}"
                RUN echo started-sleeping && sleep 120
                """,
        });
        var request = Request(_repo, _repo.Head, "cancel");
        using var cts = new CancellationTokenSource();
        var before = await fixture.Sandbox.ContainerIdsAsync();
        var seen = new List<string>();

        await using (var events = Builder.BuildAsync(request, cts.Token).GetAsyncEnumerator(CancellationToken.None))
        {
            while (await events.MoveNextAsync().AsTask().WaitAsync(DockerBackendFixture.CallTimeout))
            {
                seen.Add(events.Current.Message ?? "");
                if (events.Current.Message == "started-sleeping\n") break;
            }
            Assert.Contains("started-sleeping\n", seen);
            Assert.NotEmpty(await fixture.NewContainersAsync(before));

            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Empty(fixture.Sandbox.LeftoverWork());
        // The engine stops the build when the connection closes and removes the step's container (forcerm).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await fixture.NewContainersAsync(before)).Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.Empty(await fixture.NewContainersAsync(before));
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        Assert.Null(await fixture.Engine.FindImageAsync(request.ImageName, timeout.Token));
    }

    [Fact]
    public async Task Build_UnknownCommit_OneFailedEventAndNoCheckoutLeft()
    {
        _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "hi\n" });
        var request = Request(_repo, "0123456789abcdef0123456789abcdef01234567", "nocommit");

        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        await foreach (var e in Builder.BuildAsync(request, timeout.Token)) events.Add(e);

        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.Contains("Could not find commit 0123456789abcdef0123456789abcdef01234567", events[^1].Message);
        Assert.All(events.SkipLast(1), e => Assert.Equal(BinderPhase.Fetching, e.Phase));
        Assert.Empty(fixture.Sandbox.LeftoverWork());
    }

    [Fact]
    public async Task Build_UnreachableRepository_FailedWithGitMessage()
    {
        var request = new BuildRequest($"binderorleans-test-{fixture.Sandbox.RunId}-missing:1", "build-test-missing",
            "file:///nonexistent/binderorleans-test-repo", "0123456789abcdef0123456789abcdef01234567", "git");

        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        await foreach (var e in Builder.BuildAsync(request, timeout.Token)) events.Add(e);

        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Contains("Failed to fetch file:///nonexistent/binderorleans-test-repo", events[^1].Message);
        Assert.Contains("git clone failed", events[^1].Message);
        Assert.Empty(fixture.Sandbox.LeftoverWork());
    }

    [Fact]
    public async Task Build_BaseImageMissing_FailedNamingTheSetting()
    {
        _repo = GitRepo.Create(new Dictionary<string, string> { ["index.ipynb"] = "{}" });
        var docker = Options.Create(new DockerOptions { Labels = new() { [DockerSandbox.LabelKey] = fixture.Sandbox.RunId }, WorkDirectory = fixture.Sandbox.WorkDirectory });
        var builder = new DockerImageBuilder(fixture.Engine, new GitFetcher(new GitCommand(TimeProvider.System), Options.Create(new GitProviderOptions { AllowedSchemes = ["file"] }), BinderOrleans.IntegrationTests.Providers.GitRepoProviderTests.Pin()), new BasePythonProbe(fixture.Engine, docker), docker,
            Options.Create(new BuildOptions { BaseImage = $"binderorleans-test-{fixture.Sandbox.RunId}-nobase:1" }), NullLogger<DockerImageBuilder>.Instance);

        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        await foreach (var e in builder.BuildAsync(Request(_repo, _repo.Head, "nobase"), timeout.Token)) events.Add(e);

        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Contains($"the base image binderorleans-test-{fixture.Sandbox.RunId}-nobase:1 (Build:BaseImage) is not in the Docker engine", events[^1].Message);
        Assert.Empty(fixture.Sandbox.LeftoverWork());
    }
}
