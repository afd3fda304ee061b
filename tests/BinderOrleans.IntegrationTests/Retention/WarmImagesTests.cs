using BinderOrleans.Core.Options;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.IntegrationTests.Registry;
using BinderOrleans.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Retention;

/// <summary><c>Docker:WarmImages</c>: the most launched image is pulled back from the real registry after it left the engine.</summary>
[Collection(RegistryCollection.Name)]
public sealed class WarmImagesTests(RegistryFixture registries) : IAsyncLifetime
{
    private RetentionRig _rig = null!;

    public async Task InitializeAsync() => _rig = await RetentionRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task WarmService_OnItsInterval_PullsTheMostUsedImageBack_AndRetentionKeepsIt()
    {
        var registry = registries.Open;
        var prefix = $"{registry.Host}/warm-{_rig.Docker.RunId}/";
        var hot = await EngineRetentionTests.BuildAsync(_rig.Docker, prefix + "hot:v1", "scratch", 10_000);
        var cold = await EngineRetentionTests.BuildAsync(_rig.Docker, prefix + "cold:v1", "scratch", 10_000);
        await DockerTestResources.RunCliAsync(null, "push", "--quiet", hot);
        await DockerTestResources.RunCliAsync(null, "push", "--quiet", cold);
        // Launched: hot three times, cold once (and more recently).
        await _rig.UseAsync(hot, hot, hot);
        _rig.Clock.Advance(TimeSpan.FromMinutes(1));
        await _rig.UseAsync(cold);
        using var cts = new CancellationTokenSource(RetentionRig.Timeout);
        foreach (var image in (string[])[hot, cold]) await _rig.Docker.Engine.RemoveImageIfExistsAsync(image, force: true, cts.Token);

        var settings = RegistryServices.Settings(registry);
        settings["Binder:ImagePrefix"] = prefix;
        await using var registryServices = RegistryServices.Create(settings);
        var puller = new RegistryImagePuller(_rig.Docker.Engine, registryServices.GetRequiredService<RegistryEndpoint>(), NullLogger<RegistryImagePuller>.Instance);
        var interval = TimeSpan.FromMinutes(5);
        using var warm = new WarmImages(_rig.PassServices(), puller, Options.Create(new DockerOptions { WarmImages = 1, WarmInterval = interval }), _rig.Clock,
            NullLogger<WarmImages>.Instance);

        Assert.Equal(new Dictionary<string, string> { [hot] = "it is kept warm (Docker:WarmImages)" }, await warm.KeptAsync(cts.Token));
        await warm.StartAsync(cts.Token);
        try
        {
            // Nothing before the first interval; then the hot image comes back, the cold one (not in the N most used) does not.
            Assert.Null(await _rig.Docker.Engine.FindImageAsync(hot, cts.Token));
            _rig.Clock.Advance(interval);
            await Poll.UntilAsync(async () => await _rig.Docker.Engine.FindImageAsync(hot, cts.Token) is not null, "the hot image pulled back", RetentionRig.Timeout);
            Assert.Null(await _rig.Docker.Engine.FindImageAsync(cold, cts.Token));
        }
        finally
        {
            await warm.StopAsync(CancellationToken.None).WaitAsync(RetentionRig.Timeout);
        }
    }
}
