using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using BinderOrleans.Docker.Proxy;
using BinderOrleans.Testing;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>The culler against real launched servers: idle time from the server's own status, exited ones removed.</summary>
[Collection(DockerBackendCollection.Name)]
public sealed class ContainerCullerTests(DockerBackendFixture fixture)
{
    /// <summary>Each test's culler only sees this test's containers, whatever other tests left behind.</summary>
    private readonly Dictionary<string, string> _labels = new() { ["binderorleans.culler-test"] = Guid.NewGuid().ToString("N") };

    private ContainerCuller Culler(TimeSpan idleAfter, TimeSpan interval, TimeProvider time, ServerRoutes? routes = null) =>
        new(fixture.Engine, NotebookStatusClient.Create(), Options.Create(new DockerOptions
        {
            Labels = new(_labels) { [DockerSandbox.LabelKey] = fixture.Sandbox.RunId },
            CullIdleAfter = idleAfter,
            CullInterval = interval,
        }), time, NullLogger<ContainerCuller>.Instance, routes);

    private async Task<string> ExitedContainerAsync(Dictionary<string, string> labels)
    {
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var id = await fixture.Engine.CreateContainerAsync(new CreateContainerParameters
        {
            Image = BinderOrleans.Core.Options.BuildOptions.DefaultBaseImage,
            Cmd = ["true"],
            Labels = new Dictionary<string, string>(labels.Concat(_labels)) { [DockerSandbox.LabelKey] = fixture.Sandbox.RunId },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, timeout.Token);
        await fixture.Engine.StartContainerAsync(id, timeout.Token);
        Assert.Equal(0, await fixture.Engine.WaitContainerAsync(id, timeout.Token));
        return id;
    }

    private async Task<string> RunningServerAsync(bool proxy = false, ServerRoutes? routes = null)
    {
        var events = await LauncherTests.LaunchAsync(LauncherTests.Launcher(fixture, LauncherTests.NotebookAsRoot, labels: _labels, proxy: proxy, routes: routes));
        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        return (await fixture.ContainerOfAsync(events[^1])).ID;
    }

    [Fact]
    public async Task CullOnce_ExitedRemovedAfterGrace_RunningRemovedOnlyWhenIdleTooLong()
    {
        var server = await RunningServerAsync();
        var exited = await ExitedContainerAsync(new() { ["binderorleans.launch"] = "exited-one" });
        var notALaunch = await ExitedContainerAsync(new() { ["purpose"] = "not a launched server" });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var culler = Culler(TimeSpan.FromHours(1), TimeSpan.FromMinutes(5), clock);
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);

        // Just exited: a launcher may still be reading its log.
        Assert.Empty(await culler.CullOnceAsync(timeout.Token));

        clock.Advance(ContainerCuller.ExitedGrace + TimeSpan.FromSeconds(5));
        Assert.Equal([exited], await culler.CullOnceAsync(timeout.Token));
        Assert.Contains(server, await fixture.Sandbox.ContainerIdsAsync());

        clock.SetUtcNow(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(59));
        Assert.Empty(await culler.CullOnceAsync(timeout.Token));

        clock.Advance(TimeSpan.FromMinutes(2));
        var later = await culler.CullOnceAsync(timeout.Token);

        Assert.Equal([server], later);
        Assert.Equal([notALaunch], await fixture.Sandbox.ContainerIdsAsync($"binderorleans.culler-test={_labels["binderorleans.culler-test"]}"));
        await fixture.RemoveAsync(notALaunch);
    }

    [Fact]
    public async Task CullOnce_IdleServerBehindTheProxy_RemovedWithItsRoute()
    {
        var routes = new ServerRoutes(fixture.Engine, Options.Create(new DockerOptions { Labels = new(_labels) { [DockerSandbox.LabelKey] = fixture.Sandbox.RunId } }));
        var server = await RunningServerAsync(proxy: true, routes);
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var name = (await fixture.Engine.FindContainerAsync(server, timeout.Token))!.Name.TrimStart('/');
        Assert.NotNull(await routes.FindAsync(name, askPeers: true, timeout.Token));
        // Asked on its network address (it has no port on the host), the server was last active half an hour before the clock.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(30));
        var culler = Culler(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(5), clock, routes);

        var removed = await culler.CullOnceAsync(timeout.Token);

        Assert.Equal([server], removed);
        Assert.Equal(0, routes.Count);
        Assert.Null(await routes.FindAsync(name, askPeers: true, timeout.Token));
    }

    [Fact]
    public async Task HostedCuller_ShortIdleTimeout_RemovesIdleServer()
    {
        var server = await RunningServerAsync();
        var culler = Culler(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300), TimeProvider.System);

        await culler.StartAsync(CancellationToken.None);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await fixture.Sandbox.ContainerIdsAsync()).Contains(server) && DateTime.UtcNow < deadline) await Task.Delay(200);
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await culler.StopAsync(stop.Token);
        }

        Assert.DoesNotContain(server, await fixture.Sandbox.ContainerIdsAsync());
    }
}
