using System.Net;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Engine;
using BinderOrleans.IntegrationTests.Docker;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.EndToEnd;

/// <summary>
/// Git repository → running Jupyter server through the real <c>/build/git/…</c> endpoint, the real git provider, the
/// real engine and the real notebook server.
/// </summary>
[Collection(DockerBackendCollection.Name)]
public sealed class BuildAndLaunchTests(DockerBackendFixture fixture) : IDisposable
{
    private readonly List<GitRepo> _repos = [];

    public void Dispose()
    {
        foreach (var repo in _repos) repo.Dispose();
    }

    private GitRepo Repo(Dictionary<string, string> files)
    {
        var repo = GitRepo.Create(files);
        _repos.Add(repo);
        return repo;
    }

    /// <summary>Phases in order with repeats collapsed, the initial waiting dropped.</summary>
    private static List<string> PhaseSequence(List<SseMessage> messages)
    {
        var phases = new List<string>();
        foreach (var phase in messages.Select(m => m.Event.Phase).SkipWhile(p => p == BinderPhase.Waiting))
        {
            if (phases.Count == 0 || phases[^1] != phase) phases.Add(phase);
        }
        return phases;
    }

    private static string Log(List<SseMessage> messages) => string.Concat(messages.Select(m => m.Event.Message));

    [Fact]
    public async Task FullRepo_StreamsEveryPhase_AndServerHasAptPackageAndPostBuildFile()
    {
        var repo = Repo(Repos.Full());

        var messages = await fixture.StreamAsync(repo, repo.Head);

        Assert.Equal([BinderPhase.Fetching, BinderPhase.Building, BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], PhaseSequence(messages));
        var log = Log(messages);
        Assert.Contains("Using PythonBuildPack builder", log);
        Assert.Contains(": RUN apt-get -qq update  && apt-get install --yes --no-install-recommends tree ", log);
        Assert.Contains(": RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements.txt\"", log);
        var ready = messages[^1].Event;
        Assert.Equal(22, ready.Token!.Length);
        Assert.StartsWith($"{fixture.Server.BaseUri}user/binder-", ready.Url);
        Assert.Equal(repo.Url, ready.RepoUrl);
        using (var status = await DockerBackendFixture.GetStatusAsync(ready))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        var container = await fixture.ContainerOfAsync(ready);
        var tree = await fixture.ExecAsync(container.ID, "tree", "--version");
        Assert.Equal(0, tree.ExitCode);
        Assert.StartsWith("tree v", tree.Stdout);
        var postBuild = await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/postbuild.txt");
        Assert.Equal("postBuild ran as jovyan in /home/jovyan\n", postBuild.Stdout);
        var notebook = await fixture.ExecAsync(container.ID, "test", "-f", "/home/jovyan/index.ipynb");
        Assert.Equal(0, notebook.ExitCode);

        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var image = await fixture.Engine.FindImageAsync(ready.Image!, timeout.Token);
        Assert.NotNull(image);
        Assert.Equal(repo.Url, image.Config!.Labels!["repo2docker.repo"]);
        Assert.Equal(repo.Head, image.Config.Labels["repo2docker.ref"]);
        Assert.StartsWith("build-", image.Config.Labels["binderorleans.build"]);

        // The same request again: the image exists, so no build runs; a new server with a new token is started.
        var since = DateTimeOffset.UtcNow;
        var again = await fixture.StreamAsync(repo, repo.Head);
        Assert.Equal(0, await fixture.BuildsOfAsync(ready.Image!, since));

        Assert.DoesNotContain(again, m => m.Event.Phase is BinderPhase.Building or BinderPhase.Fetching);
        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], PhaseSequence(again));
        var secondReady = again[^1].Event;
        Assert.NotEqual(ready.Token, secondReady.Token);
        Assert.NotEqual(ready.Url, secondReady.Url);
        using (var status = await DockerBackendFixture.GetStatusAsync(secondReady))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        await fixture.RemoveAsync(container.ID);
        await fixture.RemoveAsync((await fixture.ContainerOfAsync(secondReady)).ID);
    }

    [Fact]
    public async Task FiveConcurrentRequests_EngineRunsOneBuild_EachGetsItsOwnServer()
    {
        var repo = Repo(new() { ["index.ipynb"] = Repos.Notebook, ["README.md"] = "five at once\n" });
        var since = DateTimeOffset.UtcNow;

        var streams = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => fixture.StreamAsync(repo, repo.Head)));

        Assert.All(streams, s => Assert.Equal(BinderPhase.Ready, s[^1].Event.Phase));
        var image = streams[0][^1].Event.Image!;
        // The engine tags the image once per build it runs (also a fully cached one), so one tag event = one build.
        Assert.Equal(1, await fixture.BuildsOfAsync(image, since));

        var buildLogs = streams.Select(s => string.Join("", s.Where(m => m.Event.Phase == BinderPhase.Building).Select(m => m.Event.Message))).ToList();
        Assert.Contains("Successfully tagged", buildLogs[0]);
        Assert.All(buildLogs, l => Assert.Equal(buildLogs[0], l));

        var ready = streams.Select(s => s[^1].Event).ToList();
        Assert.Equal(5, ready.Select(r => r.Token).Distinct().Count());
        Assert.Equal(5, ready.Select(r => r.Url).Distinct().Count());
        var containers = new List<string>();
        foreach (var r in ready)
        {
            using var status = await DockerBackendFixture.GetStatusAsync(r);
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            containers.Add((await fixture.ContainerOfAsync(r)).ID);
        }
        Assert.Equal(5, containers.Distinct().Count());
        foreach (var id in containers) await fixture.RemoveAsync(id);
    }

    [Fact]
    public async Task DockerfileRepo_BuiltAsIsWithRepoRootAsContext()
    {
        var repo = Repo(new()
        {
            ["binder/Dockerfile"] = BaseDockerfile("""
                USER root
                COPY . /home/jovyan/
                RUN chown -R 1000:1000 /home/jovyan && echo built-from-dockerfile > /home/jovyan/marker.txt
                USER jovyan
                WORKDIR /home/jovyan
                """),
            ["index.ipynb"] = Repos.Notebook,
            ["requirements.txt"] = "this-would-fail-if-installed==0.0.0\n",
        });

        var messages = await fixture.StreamAsync(repo, repo.Head);

        Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);
        Assert.Contains("Using DockerBuildPack builder", Log(messages));
        Assert.DoesNotContain("pip install", Log(messages));
        var container = await fixture.ContainerOfAsync(messages[^1].Event);
        Assert.Equal("built-from-dockerfile\n", (await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/marker.txt")).Stdout);
        Assert.Equal(0, (await fixture.ExecAsync(container.ID, "test", "-f", "/home/jovyan/binder/Dockerfile")).ExitCode);
        Assert.Equal(0, (await fixture.ExecAsync(container.ID, "test", "-f", "/home/jovyan/index.ipynb")).ExitCode);
        await fixture.RemoveAsync(container.ID);
    }

    [Fact]
    public async Task DockerfileRepo_EndingAsRoot_ServerRunsAsUid1000AsOnMybinder()
    {
        // The notebook server refuses to run as root without --allow-root: this image only starts as another user.
        var repo = Repo(new() { ["Dockerfile"] = BaseDockerfile("COPY --chown=1000:1000 . /home/jovyan/\nWORKDIR /home/jovyan\nUSER root\n"), ["index.ipynb"] = Repos.Notebook });

        var ready = (await fixture.StreamAsync(repo, repo.Head))[^1].Event;

        Assert.Equal(BinderPhase.Ready, ready.Phase);
        var container = await fixture.ContainerOfAsync(ready);
        // An exec runs as the container's user: uid 1000, jovyan's group and home from the image's /etc/passwd.
        Assert.Equal("1000 1000 /home/jovyan\n", (await fixture.ExecAsync(container.ID, "sh", "-c", "echo $(id -u) $(id -g) $HOME")).Stdout);
        using (var status = await DockerBackendFixture.GetStatusAsync(ready))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }
        await fixture.RemoveAsync(container.ID);
    }

    /// <summary>A Dockerfile on the base image, labelled for this run's clean-up, then <paramref name="steps"/>.</summary>
    private string BaseDockerfile(string steps) => $"FROM binderorleans-base:bookworm\nLABEL {DockerSandbox.LabelKey}=\"{fixture.Sandbox.RunId}\"\n{steps}";

    [Fact]
    public async Task BinderDirectoryRepo_ConfigFromBinderDirectory_RootConfigIgnored()
    {
        var repo = Repo(new()
        {
            ["binder/requirements.txt"] = "six\n",
            ["binder/postBuild"] = "#!/bin/bash\nset -e\necho from-binder-dir > \"$HOME/marker.txt\"\n",
            ["binder/start"] = "#!/bin/bash\necho \"start ran before: $1 $2 $3\" > \"$HOME/start.txt\"\nexec \"$@\"\n",
            ["apt.txt"] = "this-package-does-not-exist\n",
            ["postBuild"] = "#!/bin/bash\nexit 1\n",
            ["index.ipynb"] = Repos.Notebook,
        });

        var messages = await fixture.StreamAsync(repo, repo.Head);

        Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);
        var log = Log(messages);
        Assert.Contains("binder/requirements.txt", log);
        Assert.DoesNotContain("this-package-does-not-exist", log);
        var container = await fixture.ContainerOfAsync(messages[^1].Event);
        Assert.Equal("from-binder-dir\n", (await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/marker.txt")).Stdout);
        // start ran in front of the server command, and exec'd it (the server answered, so ready came).
        Assert.Equal("start ran before: python3 -m notebook\n", (await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/start.txt")).Stdout);
        await fixture.RemoveAsync(container.ID);
    }

    [Fact]
    public async Task NotebookEdit_Rebuild_ReusesDependencyLayers()
    {
        var repo = Repo(Repos.Full());
        var first = await fixture.StreamAsync(repo, repo.Head);
        Assert.Equal(BinderPhase.Ready, first[^1].Event.Phase);
        await fixture.RemoveAsync((await fixture.ContainerOfAsync(first[^1].Event)).ID);

        var edited = repo.Commit(new Dictionary<string, string> { ["index.ipynb"] = Repos.EditedNotebook("edited") }, "edit the notebook");
        var second = await fixture.StreamAsync(repo, edited);

        Assert.Equal(BinderPhase.Ready, second[^1].Event.Phase);
        var lines = second.Where(m => m.Event.Phase == BinderPhase.Building).Select(m => m.Event.Message!.TrimEnd('\n')).ToList();
        string After(string stepStart)
        {
            var step = lines.FindIndex(l => l.StartsWith("Step ", StringComparison.Ordinal) && l.Contains(stepStart, StringComparison.Ordinal));
            Assert.True(step >= 0, $"no step '{stepStart}' in:\n{string.Join('\n', lines)}");
            return lines[step + 1];
        }
        Assert.Equal(" ---> Using cache", After(": RUN apt-get -qq update"));
        Assert.Equal(" ---> Using cache", After(": COPY --chown=1000:1000 src/requirements.txt"));
        Assert.Equal(" ---> Using cache", After(": RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements.txt\""));
        // What does not read the repository comes before its copy and is reused too.
        Assert.Equal(" ---> Using cache", After(": ENTRYPOINT "));
        Assert.NotEqual(" ---> Using cache", After(": COPY --chown=1000:1000 src/ ${REPO_DIR}/"));
        Assert.NotEqual(" ---> Using cache", After(": RUN chmod +x postBuild"));

        var container = await fixture.ContainerOfAsync(second[^1].Event);
        Assert.Contains("# edited", (await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/index.ipynb")).Stdout);
        await fixture.RemoveAsync(container.ID);
    }
}
