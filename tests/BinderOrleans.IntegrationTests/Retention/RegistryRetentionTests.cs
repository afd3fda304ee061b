using System.Diagnostics;
using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using BinderOrleans.IntegrationTests.Registry;
using BinderOrleans.Registry;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Retention;

/// <summary>
/// <c>Registry:Retention</c> on Debian's docker-registry (deletes enabled): images pushed over the registry API, last
/// uses in the real image-use book on a fake clock, a running server as the Docker launcher's container.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryRetentionTests(RegistryFixture registries) : IAsyncLifetime
{
    private RetentionRig _rig = null!;

    public async Task InitializeAsync() => _rig = await RetentionRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    /// <summary>This test's own repositories, so no other test's images are in its passes.</summary>
    private string Prefix(TestRegistry registry) => $"{registry.Host}/retention-{_rig.Docker.RunId}/";

    private RegistryImageStore Store(TestRegistry registry, out ServiceProvider registryServices)
    {
        var settings = RegistryServices.Settings(registry);
        settings["Binder:ImagePrefix"] = Prefix(registry);
        registryServices = RegistryServices.Create(settings);
        return new RegistryImageStore(new RegistryCatalog(registryServices.GetRequiredService<RegistryClient>()),
            registryServices.GetRequiredService<IOptions<SiteOptions>>());
    }

    private async Task PushAsync(TestRegistry registry, string name, int layerBytes = 0)
    {
        using var seeder = new RegistrySeeder(registry);
        await seeder.PushAsync($"retention-{_rig.Docker.RunId}/{name}", "v1", layerBytes: layerBytes).WaitAsync(RetentionRig.Timeout);
    }

    private async Task<HttpStatusCode> ManifestAsync(TestRegistry registry, string name)
    {
        using var seeder = new RegistrySeeder(registry);
        return await seeder.GetManifestStatusAsync($"retention-{_rig.Docker.RunId}/{name}", "v1", RegistrySeeder.DockerManifest).WaitAsync(RetentionRig.Timeout);
    }

    private string Image(TestRegistry registry, string name) => $"{Prefix(registry)}{name}:v1";

    /// <summary>A server as the Docker launcher leaves it: a running container labelled with the launch and its image.</summary>
    private async Task StartServerAsync(string image)
    {
        using var cts = new CancellationTokenSource(RetentionRig.Timeout);
        var engine = _rig.Docker.Engine;
        var id = await engine.CreateContainerAsync(new CreateContainerParameters
        {
            Image = BuildOptions.DefaultBaseImage,
            Cmd = ["sleep", "600"],
            Labels = new Dictionary<string, string>(_rig.Labels) { [DockerLabels.Launch] = "retention-test", [DockerLabels.LaunchImage] = image },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, cts.Token);
        await engine.StartContainerAsync(id, cts.Token);
    }

    [Theory]
    [InlineData(RegistryAuthMode.None)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task UnusedDays_DeletesUnusedManifests_KeepsUsedRunningAndBase_AndADryRunDeletesNothing(RegistryAuthMode mode)
    {
        var registry = registries.Get(mode);
        foreach (var name in (string[])["used", "unused", "running", "base", "building"]) await PushAsync(registry, name);
        await _rig.UseAsync(Image(registry, "used"), Image(registry, "unused"), Image(registry, "running"), Image(registry, "base"), Image(registry, "building"));
        _rig.Clock.Advance(TimeSpan.FromDays(40));
        await _rig.UseAsync(Image(registry, "used"));
        await StartServerAsync(Image(registry, "running"));
        // A new commit of "building" is being built: its older tag may serve as the build's cache.
        var queue = _rig.Cluster.Client.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey);
        Assert.Equal(0, await queue.EnterAsync(Image(registry, "building").Replace(":v1", ":v2", StringComparison.Ordinal)).AsTask().WaitAsync(RetentionRig.Timeout));
        var store = Store(registry, out var registryServices);
        await using var _ = registryServices;
        var servers = new DockerRunningServers(_rig.Docker.Engine, Options.Create(new DockerOptions { Labels = _rig.Labels }));
        var services = _rig.PassServices(baseImage: Image(registry, "base"), servers: servers);

        var dry = await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { UnusedDays = 30, DryRun = true }, services));
        Assert.Equal([Image(registry, "unused")], dry.Plan.Remove.Select(r => r.Name));
        Assert.Empty(dry.Removed);
        Assert.Equal(HttpStatusCode.OK, await ManifestAsync(registry, "unused"));
        Assert.Equal(
            [(Image(registry, "base"), "it is the base image (Build:BaseImage)"), (Image(registry, "building"), "a build of its repository is running or waiting"),
                (Image(registry, "running"), "a running server uses it")],
            dry.Plan.Kept.Select(k => (k.Name, k.Reason)).Order());

        var pass = await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { UnusedDays = 30 }, services));
        var removed = Assert.Single(pass.Removed);
        Assert.Equal(Image(registry, "unused"), removed.Name);
        Assert.True(removed.Bytes > 0);
        Assert.Equal(HttpStatusCode.NotFound, await ManifestAsync(registry, "unused"));
        foreach (var kept in (string[])["used", "running", "base", "building"]) Assert.Equal(HttpStatusCode.OK, await ManifestAsync(registry, kept));
        Assert.Equal(1, _rig.Metrics.ImagesRemoved.Value("registry"));
        Assert.Equal(removed.Bytes, _rig.Metrics.ImageBytesRemoved.Value("registry"));

        // The next pass finds nothing more to delete.
        Assert.Empty((await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { UnusedDays = 30 }, services))).Removed);

        // The registry's garbage collection (as docs/docker.md says to run it) then frees the blobs only the deleted image held.
        var others = dry.Plan.Kept.SelectMany(k => k.Image.Blobs.Keys).ToHashSet();
        var own = removed.Image.Blobs.Keys.Where(b => !others.Contains(b)).ToList();
        Assert.NotEmpty(own);
        Assert.All(own, blob => Assert.True(File.Exists(registry.BlobPath(blob)), blob));
        await GarbageCollectAsync(registry);
        Assert.All(own, blob => Assert.False(File.Exists(registry.BlobPath(blob)), blob));
        foreach (var kept in (string[])["used", "running", "base"]) Assert.Equal(HttpStatusCode.OK, await ManifestAsync(registry, kept));
    }

    private static async Task GarbageCollectAsync(TestRegistry registry)
    {
        var psi = new ProcessStartInfo(TestRegistry.Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["garbage-collect", registry.ConfigPath]) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(RetentionRig.Timeout);
        Assert.True(process.ExitCode == 0, "garbage-collect failed: " + await stderr + await stdout);
    }

    [Fact]
    public async Task MaxSize_DeletesTheLeastRecentlyUsedFirst_UntilWithinBudget()
    {
        var registry = registries.Open;
        await PushAsync(registry, "small", layerBytes: 10_000);
        await PushAsync(registry, "middle", layerBytes: 20_000);
        await PushAsync(registry, "large", layerBytes: 30_000);
        // Least recently used: middle, then large, then small.
        await _rig.UseAsync(Image(registry, "middle"));
        _rig.Clock.Advance(TimeSpan.FromHours(1));
        await _rig.UseAsync(Image(registry, "large"));
        _rig.Clock.Advance(TimeSpan.FromHours(1));
        await _rig.UseAsync(Image(registry, "small"));
        var store = Store(registry, out var registryServices);
        await using var _ = registryServices;
        var services = _rig.PassServices();

        var measure = await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { MaxSize = "1", DryRun = true }, services));
        Assert.Equal([Image(registry, "middle"), Image(registry, "large"), Image(registry, "small")], measure.Plan.Remove.Select(r => r.Name));
        var total = measure.Plan.TotalBytes;
        Assert.True(total > 60_000, $"{total} bytes");

        // A budget 1 byte short: only the least recently used goes (not the largest, not the oldest push).
        var pass = await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { MaxSize = (total - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }, services));
        Assert.Equal([Image(registry, "middle")], pass.Removed.Select(r => r.Name));
        Assert.Equal(HttpStatusCode.NotFound, await ManifestAsync(registry, "middle"));
        Assert.Equal(HttpStatusCode.OK, await ManifestAsync(registry, "large"));
        Assert.Equal(HttpStatusCode.OK, await ManifestAsync(registry, "small"));
    }
}
