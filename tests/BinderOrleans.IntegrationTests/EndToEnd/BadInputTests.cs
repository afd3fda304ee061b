using BinderOrleans.Core.Streaming;
using BinderOrleans.IntegrationTests.Docker;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.EndToEnd;

/// <summary>
/// Repositories that cannot become a server, through the real endpoint and engine: each stream ends with one
/// <c>failed</c> event carrying a status code and a message saying why, and nothing is left behind (no container
/// of this run, no checkout folder).
/// </summary>
[Collection(DockerBackendCollection.Name)]
public sealed class BadInputTests(DockerBackendFixture fixture) : IDisposable
{
    private GitRepo? _repo;

    public void Dispose() => _repo?.Dispose();

    private async Task<BinderEvent> FailureAsync(Dictionary<string, string> files)
    {
        _repo = GitRepo.Create(files);
        var before = await fixture.Sandbox.ContainerIdsAsync();
        var messages = await fixture.StreamAsync(_repo, _repo.Head);

        var last = messages[^1].Event;
        Assert.Equal(BinderPhase.Failed, last.Phase);
        Assert.Single(messages, m => m.Event.Phase == BinderPhase.Failed);
        Assert.Equal(500, last.StatusCode);
        Assert.DoesNotContain(messages, m => m.Event.Phase == BinderPhase.Ready);

        Assert.Empty(await fixture.NewContainersAsync(before));
        Assert.Empty(fixture.Sandbox.LeftoverWork());
        return last;
    }

    [Fact]
    public async Task DockerfileStepFails_FailedWithTheEngineError()
    {
        var failed = await FailureAsync(new()
        {
            ["Dockerfile"] = $"""
                FROM binderorleans-base:bookworm
                LABEL {DockerSandbox.LabelKey}="{fixture.Sandbox.RunId}"
                RUN echo about to fail && false
                """,
        });

        Assert.StartsWith("Error during build: The command '/bin/sh -c echo about to fail && false' returned a non-zero code: 1", failed.Message);
    }

    [Fact]
    public async Task StartScriptExits_LaunchFailsWithServerLog()
    {
        var failed = await FailureAsync(new()
        {
            ["index.ipynb"] = Repos.Notebook,
            ["start"] = "#!/bin/bash\necho 'start: refusing to start the server' >&2\nexit 1\n",
        });

        Assert.Contains("failed to launch: the server exited (exit code 1)", failed.Message);
        Assert.Contains("start: refusing to start the server", failed.Message);
    }

    [Fact]
    public async Task BothBinderDirectories_FailsBeforeBuilding()
    {
        var failed = await FailureAsync(new() { ["binder/requirements.txt"] = "six\n", [".binder/requirements.txt"] = "six\n" });

        Assert.Contains("both a binder/ and a .binder/ directory", failed.Message);
    }

    [Theory]
    // Any Python is built through micromamba now (issue 13); this machine cannot download it, and the failure says so.
    [InlineData("python-2.7", "urllib.error.URLError")]
    [InlineData("python3.11", "Invalid runtime.txt: 'python3.11'")]
    [InlineData("python-3.11.4", "'python-3.11.4' is not a Python version")]
    public async Task BadRuntimeTxt_FailsWithWhatIsWrong(string runtime, string expected)
    {
        var failed = await FailureAsync(new() { ["runtime.txt"] = runtime + "\n", ["index.ipynb"] = Repos.Notebook });

        Assert.Contains(expected, failed.Message);
    }
}
