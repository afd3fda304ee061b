using System.Diagnostics;
using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.IntegrationTests.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.IntegrationTests.Faults;

/// <summary>The registry stopped under a running service, and started again (issue 12); a registry of the test's own.</summary>
public sealed class RegistryOutageTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task RegistryStopped_LookupsFailClearly_Health503Within15s_BackWithoutRestart()
    {
        using var cts = new CancellationTokenSource(Bound);
        await using var registry = await TestRegistry.StartAsync(RegistryAuthMode.None).WaitAsync(cts.Token);
        var repository = "binder/outage-" + Guid.NewGuid().ToString("N")[..12];
        using (var seeder = new RegistrySeeder(registry)) await seeder.PushAsync(repository, "t1").WaitAsync(cts.Token);
        await using var server = await RunningServer.StartAsync(RegistryServices.Settings(registry)).WaitAsync(cts.Token);
        var images = server.Services.GetRequiredService<IImageRegistry>();
        var image = $"{registry.Host}/{repository}:t1";

        Assert.Equal(ImageLookup.Found, await images.LookupAsync(image, cts.Token));
        Assert.Equal(HttpStatusCode.OK, await HealthAsync(server, cts.Token));

        registry.Stop();
        var down = Stopwatch.StartNew();
        while (await HealthAsync(server, cts.Token) != HttpStatusCode.ServiceUnavailable && down.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(200, cts.Token);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await HealthAsync(server, cts.Token));
        Assert.True(down.Elapsed < TimeSpan.FromSeconds(15), $"/health turned 503 only after {down.Elapsed}");
        var failed = await images.LookupAsync(image, cts.Token);
        Assert.False(failed.Exists);
        Assert.NotNull(failed.Error);
        Assert.Contains(registry.Host, failed.Error);

        await registry.StartAsync().WaitAsync(cts.Token);
        Assert.Equal(ImageLookup.Found, await images.LookupAsync(image, cts.Token));
        var up = Stopwatch.StartNew();
        while (await HealthAsync(server, cts.Token) != HttpStatusCode.OK && up.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(200, cts.Token);
        Assert.Equal(HttpStatusCode.OK, await HealthAsync(server, cts.Token));
    }

    private static async Task<HttpStatusCode> HealthAsync(RunningServer server, CancellationToken ct)
    {
        using var response = await server.Client.GetAsync("health", ct);
        return response.StatusCode;
    }
}
