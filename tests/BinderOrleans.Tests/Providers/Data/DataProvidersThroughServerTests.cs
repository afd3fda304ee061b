using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Testing;
using BinderOrleans.Testing.DataRepositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>
/// The data providers inside the real server, against the fake repositories. With resolve-only backends the stream shows
/// the provider's names; with the real Docker builder (no image found) the record is fetched into the build folder
/// before any engine call, so refusals show as the build's <c>failed</c> event without a Docker engine.
/// </summary>
public sealed class DataProvidersThroughServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private FakeDataRepositories _fake = null!;
    private RunningServer _resolveOnly = null!;
    private RunningServer _fetching = null!;
    private TempFolder _work = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDataRepositories.StartAsync();
        _work = new TempFolder();
        var settings = DataProviderHost.Settings(_fake);
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Providers:Data:MaxBytes"] = "4096";
        _resolveOnly = await RunningServer.StartAsync(new Dictionary<string, string?>(settings), ResolveOnlyBackends.Use).WaitAsync(Timeout);
        settings["Docker:WorkDirectory"] = _work.Checkout;
        // An engine nobody listens on: the fetch comes first and is all these tests reach.
        settings["Docker:Host"] = "unix:///nonexistent/docker.sock";
        _fetching = await RunningServer.StartAsync(new Dictionary<string, string?>(settings), services =>
        {
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry, NoImages>();
        }).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _fetching.DisposeAsync();
        await _resolveOnly.DisposeAsync();
        await _fake.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task Zenodo_LaunchesTheRecordTheDoiLeadsTo_WithBinderHubsNames()
    {
        _fake.AddDoi("10.5281/zenodo.3242073", "/zenodo/doi/10.5281/zenodo.3242073");
        _fake.AddRedirect("/zenodo/doi/10.5281/zenodo.3242073", "/zenodo/records/3242074");
        _fake.AddZenodoRecord("3242074", "10.5281/zenodo.3242074", [("requirements.txt", "numpy\n"u8.ToArray())]);

        var events = await BuildAsync(_resolveOnly, "zenodo/10.5281/zenodo.3242073");

        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "zenodo-3242074", "3242074"), events[0].ImageName);
        var ready = events[^1];
        Assert.Equal("10.5281/zenodo.3242073", ready.RepoUrl);
        Assert.Equal("https://doi.org/10.5281/zenodo.3242074", ready.BinderRefUrl);
        Assert.Equal("v2/zenodo/10.5281/zenodo.3242073", ready.BinderRequest);
        Assert.Equal("v2/zenodo/10.5281/zenodo.3242074", ready.BinderPersistentRequest);
    }

    [Fact]
    public async Task Zenodo_UnknownDoi_FailsWithNotFound()
    {
        var only = Assert.Single(await BuildAsync(_resolveOnly, "zenodo/10.5281/zenodo.1"));

        Assert.Equal(BinderPhase.Failed, only.Phase);
        Assert.Equal(404, only.StatusCode);
        Assert.StartsWith("Could not resolve ref for zenodo:10.5281/zenodo.1.", only.Message);
    }

    [Fact]
    public async Task Zenodo_DoiLeadingElsewhere_FailsNamingWhere()
    {
        _fake.AddDoi("10.5281/zenodo.5", "/somewhere/else");
        _fake.AddPage("/somewhere/else");

        var only = Assert.Single(await BuildAsync(_resolveOnly, "zenodo/10.5281/zenodo.5"));

        Assert.Equal(BinderPhase.Failed, only.Phase);
        Assert.Equal(400, only.StatusCode);
        Assert.Contains("/somewhere/else, which is not a record on", only.Message);
    }

    [Fact]
    public async Task Zenodo_RecordTooLarge_FailsTheBuildWith413()
    {
        _fake.AddDoi("10.5281/zenodo.20", "/zenodo/records/20");
        _fake.AddZenodoRecord("20", "10.5281/zenodo.20", [("big.bin", new byte[5000])]);

        var failed = (await BuildAsync(_fetching, "zenodo/10.5281/zenodo.20"))[^1];

        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(413, failed.StatusCode);
        Assert.Contains("Providers:Data:MaxBytes", failed.Message);
    }

    [Fact]
    public async Task Zenodo_ArchiveClimbingOut_FailsTheBuildWith422_AndWritesNothingOutside()
    {
        _fake.AddDoi("10.5281/zenodo.21", "/zenodo/records/21");
        _fake.AddZenodoRecord("21", "10.5281/zenodo.21", [("evil.zip", TestZips.Of(("ok.txt", "ok"), ("../../../evil.txt", "pwned")))]);

        var events = await BuildAsync(_fetching, "zenodo/10.5281/zenodo.21");

        var failed = events[^1];
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(422, failed.StatusCode);
        Assert.Contains("Refusing to unpack Zenodo record 21 (evil.zip): entry '../../../evil.txt' has a '..' segment", failed.Message);
        Assert.Contains(events, e => e.Phase == BinderPhase.Fetching && e.Message == "Fetching evil.zip\n");
        Assert.DoesNotContain(Directory.EnumerateFiles(_work.Root, "*", SearchOption.AllDirectories), f => f.EndsWith("evil.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Figshare_LaunchesTheNewestVersion_WithBinderHubsNames()
    {
        _fake.AddFigshareArticle("9782777", versions: 2, [("requirements.txt", "numpy\n"u8.ToArray())]);
        _fake.AddDoi("10.6084/m9.figshare.9782777", "/figshare/articles/dataset/data/9782777");

        var events = await BuildAsync(_resolveOnly, "figshare/10.6084/m9.figshare.9782777");

        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "figshare-9782777.v2", "9782777.v2"), events[0].ImageName);
        Assert.Equal("https://doi.org/10.6084/m9.figshare.9782777.v2", events[^1].BinderRefUrl);
        Assert.Equal("v2/figshare/10.6084/m9.figshare.9782777.v2", events[^1].BinderPersistentRequest);
    }

    [Fact]
    public async Task Dataverse_LaunchesTheLatestVersion_WithBinderHubsNames()
    {
        _fake.AddDoi("10.7910/DVN/TJCLKP", "/citation?persistentId=doi:10.7910/DVN/TJCLKP");
        _fake.AddDataverseDataset("10.7910/DVN/TJCLKP", 3323458, (3, 1), [(null, "requirements.txt", "numpy\n"u8.ToArray())]);

        var events = await BuildAsync(_resolveOnly, "dataverse/10.7910/DVN/TJCLKP");

        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "dataverse-dvn-2ftjclkp", "3323458.v3.1"), events[0].ImageName);
        Assert.Equal("https://doi.org/10.7910/DVN/TJCLKP", events[^1].BinderRefUrl);
        Assert.Equal("v2/dataverse/10.7910/DVN/TJCLKP", events[^1].BinderPersistentRequest);
    }

    [Fact]
    public async Task HydroShare_LaunchesTheResource_WithBinderHubsNames()
    {
        const string id = "0123456789abcdef0123456789abcdef";
        _fake.AddHydroShareResource(id, "2019-09-24T17:43:33.577934Z", TestZips.Of(($"{id}/data/contents/requirements.txt", "numpy\n")));

        var events = await BuildAsync(_resolveOnly, "hydroshare/" + id);

        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", $"hydroshare-{id}.v1569347013", $"{id}.v1569347013"), events[0].ImageName);
        Assert.Equal($"{_fake.HydroShareBaseUrl}/resource/{id}", events[^1].BinderRefUrl);
    }

    [Fact]
    public async Task Ckan_LaunchesTheDataset_WithBinderHubsNames()
    {
        _fake.AddCkanDataset("through-server", "2020-05-01T10:20:30.123456", [("data.csv", "a,b\n"u8.ToArray())]);
        var url = $"{_fake.CkanSiteUrl}/dataset/through-server";

        var events = await BuildAsync(_resolveOnly, "ckan/" + Uri.EscapeDataString(url));

        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(ImageNaming.ImageName("", "ckan-through-server", "through-server.v1588328430"), events[0].ImageName);
        Assert.Equal(url, events[^1].RepoUrl);
        Assert.Equal(url, events[^1].BinderRefUrl);
    }

    [Fact]
    public async Task RepoProviders_ListsTheDataProviders_InBinderHubsOrder_WithTheirDisplayConfigs()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await _resolveOnly.Client.GetStringAsync("api/repoproviders").WaitAsync(Timeout));

        var providers = doc.RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal(["gh", "gist", "git", "gl", "zenodo", "figshare", "hydroshare", "dataverse", "ckan", "bitbucket"], doc.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal(@"10\.\d+\/(.)+", providers["zenodo"].GetProperty("spec").GetProperty("validateRegex").GetString());
        Assert.Equal("[^/]+", providers["ckan"].GetProperty("spec").GetProperty("validateRegex").GetString());
        Assert.True(providers["hydroshare"].GetProperty("repo").GetProperty("urlEncode").GetBoolean());
        Assert.False(providers["figshare"].GetProperty("ref").GetProperty("enabled").GetBoolean());
        Assert.Equal("Dataverse DOI", providers["dataverse"].GetProperty("displayName").GetString());
    }

    private static async Task<List<BinderEvent>> BuildAsync(RunningServer server, string path) =>
        (await SseClient.ReadBuildAsync(server.Client, "build/" + path, Timeout)).Select(m => m.Event).ToList();

    private sealed class NoImages : IImageRegistry
    {
        public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken) => Task.FromResult(ImageLookup.Missing);
    }
}
