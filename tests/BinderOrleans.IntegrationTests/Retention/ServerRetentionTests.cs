using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using BinderOrleans.IntegrationTests.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BinderOrleans.IntegrationTests.Retention;

/// <summary>The retention pass as the real server wires it: its silo's book, its engine, its launch backend.</summary>
[Collection(RegistryCollection.Name)]
public sealed class ServerRetentionTests
{
    [Fact]
    public async Task Server_EngineRetention_SeesItsImages_AndKeepsTheJustLaunchedOne()
    {
        await using var docker = new DockerTestResources();
        var prefix = $"binder-retention-{docker.RunId}/";
        var launched = await EngineRetentionTests.BuildAsync(docker, prefix + "launched:v1", BuildOptions.DefaultBaseImage, 10_000);
        var never = await EngineRetentionTests.BuildAsync(docker, prefix + "never:v1", BuildOptions.DefaultBaseImage, 10_000);
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            [$"Docker:Labels:{DockerTestResources.LabelKey}"] = docker.RunId,
            ["Binder:ImagePrefix"] = prefix,
            ["Docker:ImageRetention:MaxSize"] = "1",
            ["Docker:ImageRetention:DryRun"] = "true",
        }).WaitAsync(RetentionRig.Timeout);
        var retention = Assert.Single(server.Services.GetServices<IHostedService>().OfType<ImageRetention>());
        await server.Services.GetRequiredService<IGrainFactory>().GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey).RecordAsync(launched)
            .AsTask().WaitAsync(RetentionRig.Timeout);

        var outcome = await RetentionRig.RunAsync(retention);

        // Over a 1-byte budget both would go, the one never launched first; a dry run removes neither.
        Assert.Equal([never, launched], outcome.Plan.Remove.Select(r => r.Name));
        Assert.Empty(outcome.Removed);
    }
}
