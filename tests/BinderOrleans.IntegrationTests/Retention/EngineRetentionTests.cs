using System.Globalization;
using System.Security.Cryptography;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.IntegrationTests.Registry;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Retention;

/// <summary>
/// <c>Docker:ImageRetention</c> on the real engine: small images this run builds (each a layer on a base), last uses in
/// the real image-use book on a fake clock, a container running one of them.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class EngineRetentionTests : IAsyncLifetime
{
    private RetentionRig _rig = null!;

    public async Task InitializeAsync() => _rig = await RetentionRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    private string Prefix => $"binder-retention-{_rig.Docker.RunId}/";

    private string Image(string name) => $"{Prefix}{name}:v1";

    /// <summary>Builds <paramref name="name"/> FROM <paramref name="from"/> plus a layer of <paramref name="bytes"/> random bytes, labelled as our builds are.</summary>
    internal static async Task<string> BuildAsync(DockerTestResources docker, string image, string from, int bytes)
    {
        var context = Directory.CreateTempSubdirectory("binder-retention-context-");
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(context.FullName, "blob"), RandomNumberGenerator.GetBytes(bytes));
            docker.Track(image);
            await DockerTestResources.RunCliAsync($"FROM {from}\nCOPY blob /blob\n", "build", "--quiet", "--label", $"{DockerTestResources.LabelKey}={docker.RunId}",
                "--label", $"{DockerLabels.Ref}=retention-test", "-t", image, "-f", "-", context.FullName);
            return image;
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    private EngineImageStore Store(string baseImage) =>
        new(_rig.Docker.Engine, Options.Create(new DockerOptions { Labels = _rig.Labels }), Options.Create(new SiteOptions { ImagePrefix = Prefix }),
            Options.Create(new BuildOptions { BaseImage = baseImage }));

    private async Task<bool> ExistsAsync(string image)
    {
        using var cts = new CancellationTokenSource(RetentionRig.Timeout);
        return await _rig.Docker.Engine.FindImageAsync(image, cts.Token) is not null;
    }

    [Fact]
    public async Task UnusedDays_RemovesUnusedImages_KeepsUsedRunningAndBase_AndADryRunRemovesNothing()
    {
        var baseImage = await BuildAsync(_rig.Docker, Image("base"), BuildOptions.DefaultBaseImage, 1000);
        foreach (var name in (string[])["used", "unused", "running"]) await BuildAsync(_rig.Docker, Image(name), baseImage, 100_000);
        await _rig.UseAsync(Image("used"), Image("unused"), Image("running"), baseImage);
        _rig.Clock.Advance(TimeSpan.FromDays(40));
        await _rig.UseAsync(Image("used"));
        using (var cts = new CancellationTokenSource(RetentionRig.Timeout))
        {
            var id = await _rig.Docker.Engine.CreateContainerAsync(new CreateContainerParameters
            {
                Image = Image("running"),
                Cmd = ["sleep", "600"],
                Labels = _rig.Labels,
                HostConfig = new HostConfig { NetworkMode = "none" },
            }, cts.Token);
            await _rig.Docker.Engine.StartContainerAsync(id, cts.Token);
        }
        var services = _rig.PassServices(baseImage);

        var dry = await RetentionRig.RunAsync(_rig.Retention(Store(baseImage), new ImageRetentionOptions { UnusedDays = 30, DryRun = true }, services));
        Assert.Equal([Image("unused")], dry.Plan.Remove.Select(r => r.Name));
        Assert.Empty(dry.Removed);
        Assert.True(await ExistsAsync(Image("unused")));
        Assert.Equal([(baseImage, "it is the base image (Build:BaseImage)"), (Image("running"), "a container uses it")],
            dry.Plan.Kept.Select(k => (k.Name, k.Reason)).Order());
        // The shared base counts once: the unused image frees its own layer, not the base under it.
        var freed = dry.Plan.Remove[0].Bytes;
        Assert.InRange(freed, 100_000, 200_000);

        var pass = await RetentionRig.RunAsync(_rig.Retention(Store(baseImage), new ImageRetentionOptions { UnusedDays = 30 }, services));
        Assert.Equal([Image("unused")], pass.Removed.Select(r => r.Name));
        Assert.False(await ExistsAsync(Image("unused")));
        foreach (var kept in (string[])["used", "running", "base"]) Assert.True(await ExistsAsync(Image(kept)), kept);
        Assert.Equal(1, _rig.Metrics.ImagesRemoved.Value("engine"));
        Assert.Equal(freed, _rig.Metrics.ImageBytesRemoved.Value("engine"));
    }

    [Fact]
    public async Task MaxSize_RemovesTheLeastRecentlyUsedFirst_CountingTheSharedBaseOnce()
    {
        foreach (var (name, bytes) in new[] { ("small", 100_000), ("middle", 200_000), ("large", 300_000) })
        {
            await BuildAsync(_rig.Docker, Image(name), BuildOptions.DefaultBaseImage, bytes);
        }
        await _rig.UseAsync(Image("middle"));
        _rig.Clock.Advance(TimeSpan.FromHours(1));
        await _rig.UseAsync(Image("large"));
        _rig.Clock.Advance(TimeSpan.FromHours(1));
        await _rig.UseAsync(Image("small"));
        var services = _rig.PassServices();
        var store = Store(BuildOptions.DefaultBaseImage);

        var measure = await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { MaxSize = "1", DryRun = true }, services));
        // The last image standing holds the base too (the base image itself is not ours to remove).
        Assert.Equal([Image("middle"), Image("large"), Image("small")], measure.Plan.Remove.Select(r => r.Name));
        var total = measure.Plan.TotalBytes;
        Assert.Equal(total, measure.Plan.Remove.Sum(r => r.Bytes));
        Assert.InRange(measure.Plan.Remove[0].Bytes, 200_000, 300_000);

        var pass = await RetentionRig.RunAsync(_rig.Retention(store, new ImageRetentionOptions { MaxSize = (total - 1).ToString(CultureInfo.InvariantCulture) }, services));
        Assert.Equal([Image("middle")], pass.Removed.Select(r => r.Name));
        Assert.False(await ExistsAsync(Image("middle")));
        Assert.True(await ExistsAsync(Image("large")));
        Assert.True(await ExistsAsync(Image("small")));
    }
}
