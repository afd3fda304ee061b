using System.Diagnostics;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Docker.DotNet.Models;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>The image provider with the Docker backend: a pre-built image pushed to a real registry is pulled, never built, and launched.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ImageProviderDockerTests(RegistryFixture fixture) : IAsyncLifetime
{
    private const string Source = "binderorleans-base:bookworm";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private readonly DockerTestResources _docker = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _docker.DisposeAsync();

    [Fact]
    public async Task ImageInTheRegistry_IsPulledNotBuilt_AndLaunched_MissingOneIs404()
    {
        var registry = fixture.Open;
        var prefix = $"{registry.Host}/binder-{_docker.RunId}/";
        var reference = prefix + "demo:v1";
        using var cts = new CancellationTokenSource(Timeout);
        await BuildUserImageAsync(reference);
        _docker.Track(reference);
        await foreach (var message in _docker.Engine.PushImageAsync(prefix + "demo", "v1", new AuthConfig(), cts.Token))
        {
            Assert.Null(message.Error?.Message);
        }
        // Untag only (the source keeps the layers): the engine no longer has the reference, the registry does.
        await _docker.Engine.RemoveImageIfExistsAsync(reference, force: false, cts.Token);
        Assert.Null(await _docker.Engine.FindImageAsync(reference, cts.Token));

        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Image:AllowedPrefixes:0"] = prefix,
            [$"Docker:Labels:{DockerTestResources.LabelKey}"] = _docker.RunId,
            ["Docker:ServerNetwork"] = _docker.Network,
        }).WaitAsync(Timeout);

        var events = (await SseClient.ReadBuildAsync(server.Client, "build/image/" + Uri.EscapeDataString(reference), Timeout)).Select(m => m.Event).ToList();
        var described = string.Join("", events.Select(e => $"[{e.Phase}] {e.Message}"));
        Assert.True(events[^1].Phase == BinderPhase.Ready, described);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Building);
        Assert.Contains(events, e => e.Phase == BinderPhase.Fetching && e.Message == $"Pulling image {reference}...\n");
        Assert.Equal(reference, Assert.Single(events, e => e.Phase == BinderPhase.Built).ImageName);
        Assert.NotNull(await _docker.Engine.FindImageAsync(reference, cts.Token));

        var missing = (await SseClient.ReadBuildAsync(server.Client, "build/image/" + Uri.EscapeDataString(prefix + "absent:v1"), Timeout)).Select(m => m.Event).ToList();
        Assert.Equal(BinderPhase.Failed, missing[^1].Phase);
        Assert.Equal(404, missing[^1].StatusCode);
        Assert.DoesNotContain(missing, e => e.Phase is BinderPhase.Building or BinderPhase.Launching);
    }

    /// <summary>
    /// A "pre-built" image someone else made: the base image run as its notebook user (Jupyter refuses root). Built with
    /// the docker CLI from a Dockerfile on stdin, labelled with this run so it is removed at the end.
    /// </summary>
    private async Task BuildUserImageAsync(string tag)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["build", "--quiet", "--label", $"{DockerTestResources.LabelKey}={_docker.RunId}", "-t", tag, "-"]) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync($"FROM {Source}\nUSER jovyan\nWORKDIR /home/jovyan\n");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        await stdout.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(process.ExitCode == 0, "docker build failed: " + await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
