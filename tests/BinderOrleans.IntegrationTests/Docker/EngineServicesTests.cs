using System.Text.Json.Nodes;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Health;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>Engine client, local image lookup and the health item, against the real engine and a missing one.</summary>
[Collection(DockerBackendCollection.Name)]
public sealed class EngineServicesTests(DockerBackendFixture fixture)
{
    private static IDockerClient Unreachable() =>
        DockerClientFactory.Create(new DockerOptions { Host = "unix:///nonexistent/binderorleans-test.sock" });

    [Fact]
    public async Task LocalRegistry_ImagePresentOrNot_FoundOrMissing()
    {
        var registry = new LocalEngineImageRegistry(fixture.Engine);
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);

        Assert.Equal(ImageLookup.Found, await registry.LookupAsync(BuildOptions.DefaultBaseImage, timeout.Token));
        Assert.Equal(ImageLookup.Missing, await registry.LookupAsync($"binderorleans-test-{fixture.Sandbox.RunId}-absent:1", timeout.Token));
    }

    [Fact]
    public async Task LocalRegistry_EngineUnreachable_FailedLookupNotException()
    {
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);

        var lookup = await new LocalEngineImageRegistry(Unreachable()).LookupAsync("anything:1", timeout.Token);

        Assert.False(lookup.Exists);
        Assert.Contains("Cannot reach the Docker engine", lookup.Error);
    }

    [Fact]
    public async Task HealthEndpoint_ReportsDockerEngineWithVersion()
    {
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);

        var body = JsonNode.Parse(await fixture.Server.Client.GetStringAsync("health", timeout.Token))!;

        var item = body["checks"]!.AsArray().Single(c => (string?)c!["service"] == "Docker engine")!;
        Assert.True((bool)item["ok"]!);
        Assert.StartsWith("1.", (string?)item["api_version"]);
    }

    [Fact]
    public async Task HealthCheck_EngineUnreachable_NotOkWithReason()
    {
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);

        var result = await new DockerEngineHealthCheck(Unreachable()).CheckAsync(timeout.Token);

        Assert.False(result.Ok);
        Assert.Equal("Docker engine", result.Service);
        Assert.Contains("Cannot reach the Docker engine", (string?)result.Details!["error"]);
    }

    [Fact]
    public async Task EngineClient_MissingThings_ValuesNotExceptions()
    {
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        var absent = $"binderorleans-test-{fixture.Sandbox.RunId}-absent";

        Assert.Null(await fixture.Engine.FindImageAsync(absent + ":1", timeout.Token));
        Assert.False(await fixture.Engine.RemoveImageIfExistsAsync(absent + ":1", force: false, timeout.Token));
        Assert.Null(await fixture.Engine.FindContainerAsync(absent, timeout.Token));
        Assert.False(await fixture.Engine.RemoveContainerIfExistsAsync(absent, timeout.Token));
        Assert.False(await fixture.Engine.StopContainerIfExistsAsync(absent, TimeSpan.FromSeconds(1), timeout.Token));
        Assert.Null(await fixture.Engine.TailLogsAsync(absent, 10, timeout.Token));
        Assert.Null(await fixture.Engine.ExecAsync(absent, ["true"], null, timeout.Token));
    }

    [Fact]
    public async Task EngineClient_BadRequest_ExceptionCarriesEngineMessage()
    {
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);

        var error = await Assert.ThrowsAsync<DockerEngineException>(() => fixture.Engine.CreateContainerAsync(
            new CreateContainerParameters { Image = BuildOptions.DefaultBaseImage, Cmd = ["true"], Name = "invalid name!" }, timeout.Token));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("Invalid container name", error.Message);
    }
}
