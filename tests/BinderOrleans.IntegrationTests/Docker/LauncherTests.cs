using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using BinderOrleans.Docker.Proxy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>The Docker launcher on its own, with the base image (it has the notebook server) and test commands.</summary>
[Collection(DockerBackendCollection.Name)]
public sealed class LauncherTests(DockerBackendFixture fixture)
{
    /// <summary>The base image runs as root; the notebook server needs to be told that is fine.</summary>
    internal static readonly List<string> NotebookAsRoot = ["python3", "-m", "notebook", "--allow-root"];

    /// <summary>A server that never answers; trailing arguments become bash's positional parameters.</summary>
    private static readonly List<string> NeverAnswers = ["bash", "-c", "sleep 120"];

    /// <param name="proxy">
    /// <c>Docker:Proxy</c>: off, the launcher's own behaviour is tested on a published port; on, the server is published
    /// nowhere and <paramref name="routes"/> gets its route.
    /// </param>
    internal static DockerLauncher Launcher(DockerBackendFixture fixture, List<string> command, TimeSpan? launchTimeout = null,
        Dictionary<string, string>? labels = null, string? memoryLimit = null, int? maxStarts = null, bool proxy = false, ServerRoutes? routes = null) =>
        new(fixture.Engine, NotebookStatusClient.Create(), Options.Create(ProxyOptions(fixture, command, launchTimeout, labels, memoryLimit, maxStarts, proxy)),
            TimeProvider.System, NullLogger<DockerLauncher>.Instance, routes: routes);

    internal static DockerOptions ProxyOptions(DockerBackendFixture fixture, List<string> command, TimeSpan? launchTimeout = null,
        Dictionary<string, string>? labels = null, string? memoryLimit = null, int? maxStarts = null, bool proxy = false) =>
        new()
        {
            Proxy = proxy,
            MaxConcurrentStarts = maxStarts ?? 2 * Environment.ProcessorCount,
            Labels = new(labels ?? []) { [BinderOrleans.Testing.DockerSandbox.LabelKey] = fixture.Sandbox.RunId },
            ServerNetwork = fixture.Sandbox.Network,
            ServerCommand = command,
            LaunchTimeout = launchTimeout ?? TimeSpan.FromSeconds(60),
            MemoryLimit = memoryLimit ?? DockerOptions.DefaultMemoryLimit,
        };

    internal static LaunchRequest Request() =>
        new(BuildOptions.DefaultBaseImage, "file:///tmp/launcher-test", "git", "x/HEAD", "file:///tmp/launcher-test", "http://127.0.0.1/", "v2/git/x/HEAD",
            "v2/git/x/abc", "127.0.0.1");

    internal static async Task<List<BinderEvent>> LaunchAsync(DockerLauncher launcher, LaunchRequest? request = null)
    {
        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await foreach (var e in launcher.LaunchAsync(request ?? Request(), timeout.Token)) events.Add(e);
        return events;
    }

    [Fact]
    public async Task Launch_Proxy_NothingPublished_ReadyBelowTheServiceUrl_RouteReachesTheServerAtItsBaseUrl()
    {
        var options = ProxyOptions(fixture, NotebookAsRoot, proxy: true);
        var routes = new ServerRoutes(fixture.Engine, Options.Create(options));
        var launcher = Launcher(fixture, NotebookAsRoot, proxy: true, routes: routes);

        var events = await LaunchAsync(launcher, Request() with { ServiceUrl = "https://binder.example.org/" });

        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        var url = new Uri(ready.Url!);
        Assert.Matches("^https://binder.example.org/user/binder-[0-9a-f]{12}/$", ready.Url);
        var name = url.Segments[^1].TrimEnd('/');
        var container = await fixture.ContainerOfAsync(ready);
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var inspect = await fixture.Engine.FindContainerAsync(container.ID, timeout.Token);
        Assert.True(inspect!.HostConfig!.PortBindings is null or { Count: 0 }, "no host port is published");
        Assert.DoesNotContain(inspect.NetworkSettings!.Ports ?? new Dictionary<string, IList<global::Docker.DotNet.Models.PortBinding>>(),
            p => p.Value is { Count: > 0 });
        Assert.Equal(fixture.Sandbox.Network, inspect.HostConfig.NetworkMode);

        // The route the proxy uses: the container's address in its network; the server answers at its base_url there.
        var route = await routes.FindAsync(name, askPeers: true, timeout.Token);
        Assert.NotNull(route);
        Assert.Equal(container.ID, route.ContainerId);
        Assert.Equal($"http://{ServerAddress.ContainerIp(inspect)}:8888", route.Target);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using (var status = await http.GetAsync($"{route.Target}{url.AbsolutePath}api/status?token={ready.Token}"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, status.StatusCode);
        }

        // Stopping removes the route with the container; the engine no longer has it either.
        await launcher.StopAsync(ready.Server ?? container.ID, timeout.Token);
        Assert.Null(await routes.FindAsync(name, askPeers: true, timeout.Token));
    }

    [Fact]
    public async Task Launch_ServerAnswers_ReadyWithTokenAndLabelledContainer()
    {
        var events = await LaunchAsync(Launcher(fixture, NotebookAsRoot));

        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        Assert.All(events.SkipLast(1), e => Assert.Equal(BinderPhase.Launching, e.Phase));
        using (var status = await DockerBackendFixture.GetStatusAsync(ready))
        {
            Assert.True(status.IsSuccessStatusCode);
        }
        var container = await fixture.ContainerOfAsync(ready);
        Assert.Equal(BuildOptions.DefaultBaseImage, container.Labels!["binderorleans.image"]);
        Assert.Equal("file:///tmp/launcher-test", container.Labels["binderorleans.repo"]);
        Assert.True(DateTimeOffset.TryParse(container.Labels["binderorleans.created"], out _));
        var env = await fixture.ExecAsync(container.ID, "printenv", "BINDER_REQUEST");
        Assert.Equal("v2/git/x/HEAD\n", env.Stdout);

        // Without the token the server refuses: the token really protects it.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var anonymous = await http.GetAsync(new Uri(new Uri(ready.Url!), "api/status"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, anonymous.StatusCode);
        await fixture.RemoveAsync(container.ID);
    }

    [Fact]
    public async Task Launch_OneStartSlot_SecondServerStartsOnlyOnceTheFirstAnswers()
    {
        var launcher = Launcher(fixture, NotebookAsRoot, maxStarts: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        async Task<List<(TimeSpan At, BinderEvent Event)>> TimedAsync()
        {
            var events = new List<(TimeSpan, BinderEvent)>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await foreach (var e in launcher.LaunchAsync(Request(), timeout.Token)) events.Add((clock.Elapsed, e));
            return events;
        }

        var both = await Task.WhenAll(TimedAsync(), TimedAsync());

        Assert.All(both, events => Assert.Equal(BinderPhase.Ready, events[^1].Event.Phase));
        var (first, second) = both[0][^1].At <= both[1][^1].At ? (both[0], both[1]) : (both[1], both[0]);
        var secondStarted = second.First(e => e.Event.Message?.StartsWith("Server container", StringComparison.Ordinal) == true).At;
        Assert.True(secondStarted >= first[^1].At, $"the second server started at {secondStarted}, before the first answered at {first[^1].At}");
        foreach (var events in both) await fixture.RemoveAsync((await fixture.ContainerOfAsync(events[^1].Event)).ID);
    }

    [Fact]
    public async Task Launch_ClientGoneWhileWaitingForASlot_LeavesNoContainer_AndTheNextLaunchStarts()
    {
        var launcher = Launcher(fixture, NeverAnswers, TimeSpan.FromSeconds(8), maxStarts: 1);
        var before = await fixture.Sandbox.ContainerIdsAsync();
        // The first launch holds the only slot until its server times out (8 s).
        var holder = LaunchAsync(launcher);
        await Task.Delay(500);
        using (var gone = new CancellationTokenSource(TimeSpan.FromSeconds(6)))
        {
            var waited = new List<BinderEvent>();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var e in launcher.LaunchAsync(Request(), gone.Token)) waited.Add(e);
            });
            Assert.Contains(waited, e => e.Message?.StartsWith("Waiting for one of 1 server starts", StringComparison.Ordinal) == true);
            Assert.DoesNotContain(waited, e => e.Message?.StartsWith("Server container", StringComparison.Ordinal) == true);
        }
        Assert.Equal(BinderPhase.Failed, (await holder)[^1].Phase);

        // The slot is free again: the next launch starts its server at once.
        var next = await LaunchAsync(launcher);
        Assert.Contains(next, e => e.Message?.StartsWith("Server container", StringComparison.Ordinal) == true);
        Assert.Equal(before, await fixture.Sandbox.ContainerIdsAsync());
    }

    [Fact]
    public async Task Launch_NeverAnswers_TimesOutRemovesContainerAndFails()
    {
        var before = await fixture.Sandbox.ContainerIdsAsync();
        var events = await LaunchAsync(Launcher(fixture, NeverAnswers, TimeSpan.FromSeconds(3)));

        var failed = events[^1];
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(500, failed.StatusCode);
        Assert.Contains("did not answer within 3 s (Docker:LaunchTimeout)", failed.Message);
        Assert.Empty(await fixture.NewContainersAsync(before));
    }

    [Fact]
    public async Task Launch_Cancelled_RemovesContainer()
    {
        var launcher = Launcher(fixture, NeverAnswers);
        using var cts = new CancellationTokenSource();
        var before = await fixture.Sandbox.ContainerIdsAsync();

        await using (var events = launcher.LaunchAsync(Request(), cts.Token).GetAsyncEnumerator(CancellationToken.None))
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(DockerBackendFixture.CallTimeout));
            Assert.Equal(BinderPhase.Launching, events.Current.Phase);
            Assert.Single(await fixture.NewContainersAsync(before));

            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Empty(await fixture.NewContainersAsync(before));
    }

    [Fact]
    public async Task Launch_MissingImage_FailedWithoutContainer()
    {
        var launcher = Launcher(fixture, NotebookAsRoot);
        var before = await fixture.Sandbox.ContainerIdsAsync();
        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        await foreach (var e in launcher.LaunchAsync(Request() with { ImageName = $"binderorleans-test-{fixture.Sandbox.RunId}-absent:1" }, timeout.Token))
        {
            events.Add(e);
        }

        var failed = Assert.Single(events);
        Assert.Equal(500, failed.StatusCode);
        Assert.Contains("the image is not in the Docker engine", failed.Message);
        Assert.Empty(await fixture.NewContainersAsync(before));
    }

    [Fact]
    public async Task Launch_MemoryLimit_AllocatorPastItKilled_ServerStillAnswers()
    {
        var events = await LaunchAsync(Launcher(fixture, NotebookAsRoot, memoryLimit: "256M"));
        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        var container = await fixture.ContainerOfAsync(ready);

        // 512 MiB touched page by page in a 256 MiB server: the kernel kills the allocator (SIGKILL, 137), not the server.
        var hog = await fixture.ExecAsync(container.ID, "python3", "-c",
            "b = bytearray(512 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nprint('allocated')");

        Assert.Equal(137, hog.ExitCode);
        Assert.DoesNotContain("allocated", hog.Stdout);
        using (var status = await DockerBackendFixture.GetStatusAsync(ready))
        {
            Assert.True(status.IsSuccessStatusCode);
        }
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var inspect = await fixture.Engine.FindContainerAsync(container.ID, timeout.Token);
        Assert.True(inspect!.State!.Running);
        Assert.Equal(256L << 20, inspect.HostConfig!.Memory);
        Assert.Equal(256L << 20, inspect.HostConfig.MemorySwap);
        Assert.Equal(1_000_000_000, inspect.HostConfig.NanoCPUs);
        Assert.Equal(DockerOptions.DefaultPidsLimit, inspect.HostConfig.PidsLimit);
        Assert.Equal(["ALL"], inspect.HostConfig.CapDrop);
        Assert.Equal(["no-new-privileges"], inspect.HostConfig.SecurityOpt);
        await fixture.RemoveAsync(container.ID);
    }

    [Fact]
    public async Task Launch_OwnNetwork_NotebookCannotReachHostLoopback_ServerPublishedOnLoopback()
    {
        // A service of the host listening on loopback, as this service and most local daemons do.
        using var hostService = new TcpListener(IPAddress.Loopback, 0);
        hostService.Start();
        var hostPort = ((IPEndPoint)hostService.LocalEndpoint).Port;

        var events = await LaunchAsync(Launcher(fixture, NotebookAsRoot));
        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        var container = await fixture.ContainerOfAsync(ready);

        var probe = await fixture.ExecAsync(container.ID, "python3", "-c",
            $"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {hostPort}), 3)\n    print('reached')\nexcept OSError as e:\n    print('refused', e)");

        Assert.StartsWith("refused", probe.Stdout);
        Assert.Equal("127.0.0.1", new Uri(ready.Url!).Host);
        using (var status = await DockerBackendFixture.GetStatusAsync(ready))
        {
            Assert.True(status.IsSuccessStatusCode);
        }
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var inspect = await fixture.Engine.FindContainerAsync(container.ID, timeout.Token);
        Assert.Equal(fixture.Sandbox.Network, inspect!.HostConfig!.NetworkMode);
        await fixture.RemoveAsync(container.ID);
    }

    [Fact]
    public async Task FindExisting_SessionsServerRuns_IsAdopted_OtherSessionsFindNone()
    {
        var launcher = Launcher(fixture, NotebookAsRoot);
        var request = Request() with { SessionId = Guid.NewGuid().ToString("N") };
        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await foreach (var e in launcher.LaunchAsync(request, timeout.Token)) events.Add(e);
        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);

        // A new launcher (the survivor's) asks for the session's server: the same container, URL and token.
        var found = await Launcher(fixture, NotebookAsRoot).FindExistingAsync(request, timeout.Token);
        Assert.NotNull(found);
        Assert.Equal((ready.Server, ready.Url, ready.Token), (found.Server, found.Url, found.Token));
        using (var status = await DockerBackendFixture.GetStatusAsync(found))
        {
            Assert.True(status.IsSuccessStatusCode);
        }
        Assert.Null(await launcher.FindExistingAsync(Request() with { SessionId = Guid.NewGuid().ToString("N") }, timeout.Token));
        Assert.Null(await launcher.FindExistingAsync(Request(), timeout.Token));
        await fixture.RemoveAsync(ready.Server!);
    }

    [Fact]
    public async Task FindExisting_ServerLeftHalfStarted_IsRemoved_AndNotAdopted()
    {
        var request = Request() with { SessionId = Guid.NewGuid().ToString("N") };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // The lost activation's launch: its container started, then the process running it was gone (never disposed).
        var lost = Launcher(fixture, NeverAnswers).LaunchAsync(request, timeout.Token).GetAsyncEnumerator(timeout.Token);
        while (await lost.MoveNextAsync() && !lost.Current.Message!.StartsWith("Server container", StringComparison.Ordinal))
        {
        }
        var label = $"binderorleans.session={request.SessionId}";
        Assert.Single(await fixture.Engine.ListContainersAsync([label], all: true, timeout.Token));

        Assert.Null(await Launcher(fixture, NeverAnswers).FindExistingAsync(request, timeout.Token));
        Assert.Empty(await fixture.Engine.ListContainersAsync([label], all: true, timeout.Token));
    }
}
