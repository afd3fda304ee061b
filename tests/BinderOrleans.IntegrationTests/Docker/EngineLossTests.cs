using System.Diagnostics;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Docker.DotNet.Models;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>The engine killed mid-build (issue 12, defects 2 and 3), on a dockerd of the test's own.</summary>
public sealed class EngineLossTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task EngineKilledMidBuild_Failed503NamingTheEngine_AndNothingLeftOnceItIsBack()
    {
        await using var dockerd = await OwnDockerd.StartAsync().WaitAsync(StepTimeout);
        await dockerd.ImportTinyImageAsync("bo-fault-base", "1").WaitAsync(StepTimeout);
        await using var sandbox = new DockerSandbox();
        using var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = "FROM bo-fault-base:1\nRUN echo step-one-running && sleep 300\n",
        });
        var settings = sandbox.Settings();
        settings["Docker:Host"] = dockerd.Host;
        settings["Docker:CullInterval"] = "00:00:01";
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Logging:LogLevel:Default"] = "Warning";
        await using var server = await RunningServer.StartAsync(settings).WaitAsync(StepTimeout);

        using var cts = new CancellationTokenSource(StepTimeout);
        using var response = await SseClient.OpenAsync(server.Client, DockerBackendFixture.BuildPath(repo, repo.Head), cancellationToken: cts.Token);
        var events = new List<BinderEvent>();
        var killedAt = Stopwatch.StartNew();
        await foreach (var message in SseClient.ReadAsync(response, cancellationToken: cts.Token))
        {
            events.Add(message.Event);
            // The step's own output (not its "Step 2/2 : RUN echo step-one-running" line, which comes before the
            // engine reports the step's container): the step is running and its container is on record.
            if (message.Event.Message?.TrimEnd() == "step-one-running")
            {
                dockerd.Kill();
                killedAt.Restart();
            }
        }
        killedAt.Stop();

        Assert.Contains(events, e => e.Message?.TrimEnd() == "step-one-running");
        var failed = events[^1];
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(503, failed.StatusCode);
        Assert.Contains("Docker engine", failed.Message);
        Assert.Contains(dockerd.Host, failed.Message);
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(10), $"failed only {killedAt.Elapsed} after the engine was killed");

        // Back again: the build's container and folder are removed by the service, without a restart of it.
        await dockerd.RestartAsync().WaitAsync(StepTimeout);
        using var engine = dockerd.Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        IList<ContainerListResponse> containers;
        while (true)
        {
            using var call = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            containers = await engine.Containers.ListContainersAsync(new ContainersListParameters { All = true }, call.Token);
            if ((containers.Count == 0 && sandbox.LeftoverWork().Length == 0) || DateTime.UtcNow > deadline) break;
            await Task.Delay(250);
        }
        Assert.Empty(containers);
        Assert.Empty(sandbox.LeftoverWork());
        // The base image the build started FROM is not a leftover: it stays.
        using (var call = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            Assert.NotNull(await engine.FindImageAsync("bo-fault-base:1", call.Token));
        }
    }

    [Fact]
    public async Task ServiceKilledMidBuild_FolderAndContainersOfItsRecordRemovedAtStart()
    {
        await using var dockerd = await OwnDockerd.StartAsync().WaitAsync(StepTimeout);
        await dockerd.ImportTinyImageAsync("bo-fault-base", "1").WaitAsync(StepTimeout);
        await using var sandbox = new DockerSandbox();
        using var engine = dockerd.Client();
        using var cts = new CancellationTokenSource(StepTimeout);

        // What a killed service leaves: an unlocked build folder whose record names the step container the engine ran.
        var container = await engine.CreateContainerAsync(new CreateContainerParameters { Image = "bo-fault-base:1", Cmd = ["sleep", "300"] }, cts.Token);
        await engine.StartContainerAsync(container, cts.Token);
        var orphan = Path.Combine(sandbox.WorkDirectory, BuildWorkDirectory.Prefix + "crashed");
        Directory.CreateDirectory(Path.Combine(orphan, "repo"));
        await File.WriteAllTextAsync(Path.Combine(orphan, "repo", "README.md"), "checkout", cts.Token);
        await File.WriteAllTextAsync(Path.Combine(orphan, ".lock"), "", cts.Token);
        await File.WriteAllTextAsync(Path.Combine(orphan, ".leftovers"), $"container {container[..12]}\n", cts.Token);
        // And one a running build holds: left alone.
        using var running = BuildWorkDirectory.Create(sandbox.WorkDirectory);

        var settings = sandbox.Settings();
        settings["Docker:Host"] = dockerd.Host;
        settings["Logging:LogLevel:Default"] = "Warning";
        await using (await RunningServer.StartAsync(settings).WaitAsync(StepTimeout))
        {
            // The pass at start does it (the next one is Docker:CullInterval, 5 min, away).
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (sandbox.LeftoverWork().Length > 1 && DateTime.UtcNow < deadline) await Task.Delay(100);
        }

        Assert.Equal([running.Path], sandbox.LeftoverWork());
        Assert.Null(await engine.FindContainerAsync(container, cts.Token));
        running.Delete();
    }
}
