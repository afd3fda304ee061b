using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Faults;

/// <summary>The service process SIGKILLed mid-build and started again on the same engine and build folder (issue 12).</summary>
public sealed class ServiceRestartTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ServiceKilledMidBuild_NextRequestRebuildsOnce_NoStuckLock_NoLeftovers()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var sandbox = new DockerSandbox();
        using var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"""
                FROM binderorleans-base:bookworm
                RUN echo "{Guid.NewGuid():N}" > /tmp/unique
                RUN for i in $(seq 1 6); do echo "tick $i"; sleep 1; done
                USER jovyan
                WORKDIR /home/jovyan
                """,
        });
        var settings = sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        var path = $"build/git/{Uri.EscapeDataString(repo.Url)}/{repo.Head}";

        await using (var doomed = await ServerProcess.StartAsync(settings).WaitAsync(cts.Token))
        {
            using var response = await SseClient.OpenAsync(doomed.Client, path, cancellationToken: cts.Token);
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token))
            {
                if (m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true) break;
            }
            doomed.Kill();
        }

        await using var restarted = await ServerProcess.StartAsync(settings).WaitAsync(cts.Token);
        var messages = await SseClient.ReadBuildAsync(restarted.Client, path, Bound);

        Assert.True(messages[^1].Event.Phase == BinderPhase.Ready, string.Join("", messages.Select(m => $"[{m.Event.Phase}] {m.Event.Message}")));
        var log = string.Concat(messages.Select(m => m.Event.Message));
        var builds = restarted.Output.Split('\n').Count(l => l.Contains("Building ", StringComparison.Ordinal) && l.Contains(repo.Url, StringComparison.Ordinal));
        if (log.Contains("Found built image", StringComparison.Ordinal))
        {
            // The engine may finish a build whose client died (it does not always cancel it): the image is then there,
            // and the restarted service launches it without building.
            Assert.Equal(0, builds);
        }
        else
        {
            Assert.Contains("tick 6", log);
            Assert.Equal(1, builds);
        }
        // The killed build's checkout is gone (the pass at start, or the build of the restarted service cleaning its own).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (sandbox.LeftoverWork().Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(200, cts.Token);
        Assert.Empty(sandbox.LeftoverWork());
    }
}
