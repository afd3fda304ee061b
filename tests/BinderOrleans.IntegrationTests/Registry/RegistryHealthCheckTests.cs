using System.Net;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Health;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>The "Docker registry" health item against the real registry.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryHealthCheckTests(RegistryFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<BinderHealthResult> CheckAsync(IDictionary<string, string?> settings)
    {
        await using var services = RegistryServices.Create(settings);
        var check = Assert.Single(services.GetServices<IBinderHealthCheck>());
        return await check.CheckAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    [Theory]
    [InlineData(RegistryAuthMode.None)]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Health_RegistryAnswersNotFoundForProbe_IsHealthy(RegistryAuthMode mode)
    {
        var result = await CheckAsync(RegistryServices.Settings(fixture.Get(mode)));

        Assert.Equal(new BinderHealthResult("Docker registry", true), result);
    }

    [Fact]
    public async Task Health_RegistryDown_IsUnhealthy()
    {
        var port = TestRegistry.FreePort();
        var result = await CheckAsync(new Dictionary<string, string?>
        {
            ["Registry:Enabled"] = "true",
            ["Registry:Url"] = $"http://127.0.0.1:{port}",
            ["Binder:ImagePrefix"] = $"127.0.0.1:{port}/binder/",
            ["Registry:DockerConfig"] = "/nonexistent/binder-test",
            ["Registry:RetryDelay"] = "00:00:00",
        });

        Assert.Equal(new BinderHealthResult("Docker registry", false), result);
    }

    [Fact]
    public async Task Health_WrongCredentials_IsUnhealthy()
    {
        var result = await CheckAsync(RegistryServices.Settings(fixture.Basic, password: "wrong-password"));

        Assert.False(result.Ok);
    }

    [Fact]
    public async Task Health_RegistryDisabled_AddsNoItem()
    {
        var settings = RegistryServices.Settings(fixture.Open);
        settings["Registry:Enabled"] = "false";
        await using var services = RegistryServices.Create(settings);

        Assert.Empty(services.GetServices<IBinderHealthCheck>());
    }

    [Fact]
    public async Task HealthEndpoint_WithRegistry_ListsTheDockerRegistryItem()
    {
        await using var registry = await TestRegistry.StartAsync(RegistryAuthMode.Basic).WaitAsync(Timeout);
        await using var server = await RunningServer.StartAsync(RegistryServices.Settings(registry)).WaitAsync(Timeout);

        var up = await HealthItemAsync(server);
        registry.Stop();
        await using var second = await RunningServer.StartAsync(RegistryServices.Settings(registry)).WaitAsync(Timeout);
        var down = await HealthItemAsync(second);

        Assert.Equal((HttpStatusCode.OK, true), up);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, false), down);
    }

    private static async Task<(HttpStatusCode Status, bool Ok)> HealthItemAsync(RunningServer server)
    {
        using var response = await server.Client.GetAsync("health").WaitAsync(Timeout);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var item = Assert.Single(body["checks"]!.AsArray(), c => c!["service"]!.GetValue<string>() == "Docker registry")!;
        return (response.StatusCode, item["ok"]!.GetValue<bool>());
    }
}
