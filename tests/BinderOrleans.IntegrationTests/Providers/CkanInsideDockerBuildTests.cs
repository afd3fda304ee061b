using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Docker.Engine;
using BinderOrleans.IntegrationTests.Docker;
using BinderOrleans.Testing;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// Issue 21 end to end: a CKAN dataset on an allowed test host (127.0.0.2) lists a resource whose URL is an "inside"
/// server holding a secret (127.0.0.3). Through the real <c>/build/ckan/…</c> endpoint and the real engine, the build
/// fails with 403 naming the setting, the inside server sees no connection, and no image (or layer) of the dataset exists to carry it.
/// </summary>
[Collection(DockerBackendCollection.Name)]
public sealed class CkanInsideDockerBuildTests(DockerBackendFixture fixture) : IAsyncLifetime
{
    private readonly InsideListener _inside = new();
    private FakeDataRepositories _fake = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDataRepositories.StartAsync(LoopbackHostResolver.Allowed);
        var settings = fixture.Settings();
        settings["Providers:DoiBaseUrl"] = _fake.DoiBaseUrl;
        settings["Security:AllowedTargetNetworks:0"] = "127.0.0.2/32";
        _server = await RunningServer.StartAsync(settings).WaitAsync(DockerBackendFixture.CallTimeout);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _fake.DisposeAsync();
        _inside.Dispose();
    }

    [Fact]
    public async Task ResourcePointingInside_FailsTheBuildWith403_AndTheSecretIsInNoImage()
    {
        _fake.ElsewhereFiles["secret.txt"] = _inside.Url("127.0.0.3", "/secret.txt");
        _fake.AddCkanDataset("leaky", "2020-05-01T10:20:30.123456", [("requirements.txt", []), ("secret.txt", [])]);
        var url = $"{_fake.CkanSiteUrl}/dataset/leaky";

        var messages = await SseClient.ReadBuildAsync(_server.Client, $"build/ckan/{Uri.EscapeDataString(url)}", DockerBackendFixture.BuildTimeout);

        var last = messages[^1].Event;
        Assert.Equal(BinderPhase.Failed, last.Phase);
        Assert.Equal(403, last.StatusCode);
        Assert.Contains("Security:AllowedTargetNetworks", last.Message);
        Assert.DoesNotContain(messages, m => (m.Event.Message ?? "").Contains(InsideListener.Secret, StringComparison.Ordinal));
        Assert.Equal(0, _inside.Connections);
        using var timeout = new CancellationTokenSource(DockerBackendFixture.CallTimeout);
        using var engine = DockerClientFactory.Create(new BinderOrleans.Docker.DockerOptions());
        Assert.Null(await engine.FindImageAsync(ImageNaming.ImageName("", "ckan-leaky", "leaky.v1588328430"), timeout.Token));
        Assert.Empty(await engine.ListImagesAsync([$"repo2docker.repo={url}"], all: true, timeout.Token));
    }
}
