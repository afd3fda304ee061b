using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Faults;

/// <summary>
/// Clients that leave in the middle (issue 12): a real server on the real engine with a short
/// <c>Binder:ReconnectGrace</c>, in its own sandbox. Each test is bounded by <see cref="Bound"/>.
/// </summary>
public sealed class ClientGoneTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly DockerSandbox _sandbox = new();
    private readonly List<GitRepo> _repos = [];
    private RunningServer? _server;

    private RunningServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var settings = _sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Binder:ReconnectGrace"] = Grace.ToString();
        _server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        await _sandbox.DisposeAsync();
        foreach (var repo in _repos) repo.Dispose();
    }

    private GitRepo TickingRepo(int ticks)
    {
        var repo = GitRepo.Ticking(ticks);
        _repos.Add(repo);
        return repo;
    }

    /// <summary>Reads a new <c>/build</c> stream until <paramref name="stop"/> holds, then disconnects.</summary>
    private async Task<List<SseMessage>> ReadUntilAsync(string path, Func<SseMessage, bool> stop, CancellationToken ct)
    {
        using var response = await SseClient.OpenAsync(Server.Client, path, cancellationToken: ct);
        var messages = new List<SseMessage>();
        await foreach (var m in SseClient.ReadAsync(response, cancellationToken: ct))
        {
            messages.Add(m);
            if (stop(m)) break;
        }
        return messages;
    }

    [Fact]
    public async Task ClientGoneRightAfterLaunching_ServerContainerRemovedAfterTheGrace()
    {
        using var cts = new CancellationTokenSource(Bound);
        // A server that answers a few seconds after it starts: the client is gone (and the service has seen it go)
        // before the server is up. With a server that answers within milliseconds of the client leaving, the ready
        // event can reach the departing watcher first, and the server is then the client's (a race left open).
        var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"""
                FROM binderorleans-base:bookworm
                RUN echo "{Guid.NewGuid():N}" > /tmp/unique
                ENTRYPOINT ["/bin/sh", "-c", "sleep 3 && exec \"$@\"", "slow-start"]
                USER jovyan
                WORKDIR /home/jovyan
                """,
        });
        _repos.Add(repo);

        var seen = await ReadUntilAsync(repo.BuildPath, m => m.Event.Phase == BinderPhase.Launching, cts.Token);
        Assert.Equal(BinderPhase.Launching, seen[^1].Event.Phase);

        // The server container starts (and, the base image being quick, answers) while nobody watches; once the grace
        // is over it must be gone, not left running until the idle cull.
        var everSeen = false;
        List<string> containers;
        while (true)
        {
            containers = await _sandbox.ContainerIdsAsync("binderorleans.launch");
            everSeen |= containers.Count > 0;
            if ((everSeen && containers.Count == 0) || cts.IsCancellationRequested) break;
            await Task.Delay(250, CancellationToken.None);
        }
        Assert.True(everSeen, "no server container was ever started");
        Assert.Empty(containers);

        // A reconnect to the session (its last id) learns that it ended without a server.
        using var response = await SseClient.OpenAsync(Server.Client, repo.BuildPath, lastEventId: seen[^1].Id, cancellationToken: cts.Token);
        var rest = new List<SseMessage>();
        await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cts.Token)) rest.Add(m);
        Assert.DoesNotContain(rest, m => m.Event.Phase == BinderPhase.Ready);
    }

    [Fact]
    public async Task ClientGoneMidBuild_BuildFinishesUnwatched_AndANewRequestReplaysTheWholeLog()
    {
        using var cts = new CancellationTokenSource(Bound);
        const int ticks = 14;
        var repo = TickingRepo(ticks);

        var first = await ReadUntilAsync(repo.BuildPath, m => m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true, cts.Token);
        Assert.Contains(first, m => m.Event.Message?.Contains("tick 1", StringComparison.Ordinal) == true);
        // Past the grace: the first session is cancelled, and the build goes on with no watcher at all.
        await Task.Delay(Grace + TimeSpan.FromSeconds(2), cts.Token);

        var second = await ReadUntilAsync(repo.BuildPath, m => m.Event.IsTerminal, cts.Token);

        Assert.True(second[^1].Event.Phase == BinderPhase.Ready, string.Join("", second.Select(m => $"[{m.Event.Phase}] {m.Event.Message}")));
        var log = second.Select(m => m.Event.Message ?? "").ToList();
        var positions = Enumerable.Range(1, ticks).Select(i => log.FindIndex(l => HasTick(l, i))).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, "a tick is missing from the replay: " + string.Join("", log)));
        Assert.Equal(positions.Order(), positions);
        // One build: every tick once.
        Assert.Equal(1, log.Count(l => HasTick(l, 1)));
    }

    private static bool HasTick(string message, int i) => (message + "\n").Contains($"tick {i}\n", StringComparison.Ordinal);
}
