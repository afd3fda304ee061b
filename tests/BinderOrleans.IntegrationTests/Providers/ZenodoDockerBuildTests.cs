using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.IntegrationTests.Docker;
using BinderOrleans.Testing;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// A Zenodo record (one zip of a project folder) → running server, through the real <c>/build/zenodo/…</c> endpoint, the
/// real zenodo provider against the fake doi.org and Zenodo on loopback, the real engine and the real notebook server.
/// </summary>
[Collection(DockerBackendCollection.Name)]
public sealed class ZenodoDockerBuildTests(DockerBackendFixture fixture) : IAsyncLifetime
{
    private FakeDataRepositories _fake = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDataRepositories.StartAsync();
        var settings = fixture.Settings();
        settings["Providers:DoiBaseUrl"] = _fake.DoiBaseUrl;
        settings["Providers:Zenodo:BaseUrl"] = _fake.ZenodoBaseUrl;
        _server = await RunningServer.StartAsync(settings).WaitAsync(DockerBackendFixture.CallTimeout);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task ZenodoZip_IsUnpackedBuiltAndLaunched_WithItsFilesInTheServer()
    {
        var record = TestZips.Of(
            ("analysis-1.0/", ""),
            ("analysis-1.0/requirements.txt", ""),
            ("analysis-1.0/data/measurements.csv", "t,v\n0,1\n"),
            ("analysis-1.0/postBuild", "#!/bin/sh\necho from-zenodo > ~/postbuild.txt\n"));
        _fake.AddDoi("10.5281/zenodo.3242073", "/zenodo/doi/10.5281/zenodo.3242073");
        _fake.AddRedirect("/zenodo/doi/10.5281/zenodo.3242073", "/zenodo/records/3242074");
        _fake.AddZenodoRecord("3242074", "10.5281/zenodo.3242074", [("analysis-1.0.zip", record)]);

        var messages = await SseClient.ReadBuildAsync(_server.Client, "build/zenodo/10.5281/zenodo.3242073", DockerBackendFixture.BuildTimeout);

        var events = messages.Select(m => m.Event).ToList();
        var ready = events[^1];
        Assert.True(ready.Phase == BinderPhase.Ready, string.Concat(events.Select(e => e.Message)));
        Assert.Contains(events, e => e.Phase == BinderPhase.Fetching && e.Message == "Extracting analysis-1.0.zip\n");
        Assert.Equal(ImageNaming.ImageName("", "zenodo-3242074", "3242074"), ready.Image);
        Assert.Equal("https://doi.org/10.5281/zenodo.3242074", ready.BinderRefUrl);
        var container = await fixture.ContainerOfAsync(ready);
        try
        {
            Assert.Equal("t,v\n0,1\n", (await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/data/measurements.csv")).Stdout);
            Assert.Equal("from-zenodo\n", (await fixture.ExecAsync(container.ID, "cat", "/home/jovyan/postbuild.txt")).Stdout);
            Assert.NotEqual(0, (await fixture.ExecAsync(container.ID, "test", "-e", "/home/jovyan/analysis-1.0.zip")).ExitCode);
        }
        finally
        {
            await fixture.RemoveAsync(container.ID);
        }
    }
}
