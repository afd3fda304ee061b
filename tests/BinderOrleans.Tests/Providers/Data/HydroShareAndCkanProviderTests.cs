using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>The hydroshare and ckan providers against their fakes.</summary>
public sealed class HydroShareAndCkanProviderTests : DataProviderTests
{
    private const string ResourceId = "8f7c2f0341ef4180b0dbe97f59130756";

    [Fact]
    public async Task HydroShare_VersionIsTheModifiedDate_WithBinderHubsNames()
    {
        Fake.AddHydroShareResource(ResourceId, "2019-09-24T17:43:33.577934Z", Bag());

        var repo = Assert.IsType<ResolveResult.Resolved>(await ResolveAsync("hydroshare", Uri.EscapeDataString($"https://www.hydroshare.org/resource/{ResourceId}"))).Repo;

        Assert.Equal($"{ResourceId}.v1569347013", repo.ResolvedRef);
        Assert.Equal($"hydroshare-{ResourceId}.v1569347013", repo.BuildSlug);
        Assert.Equal($"{Fake.HydroShareBaseUrl}/resource/{ResourceId}", repo.RepoUrl);
        Assert.Equal(repo.RepoUrl, repo.RefUrl);
        Assert.Equal(repo.RepoUrl, repo.ResolvedSpec);
    }

    [Fact]
    public async Task HydroShare_UnknownResource_IsNotFound() =>
        Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(await ResolveAsync("hydroshare", ResourceId)).StatusCode);

    [Fact]
    public void HydroShare_SpecWithoutAnId_IsRefusedWithBinderHubsMessage() =>
        Assert.Equal("The specified Hydroshare resource id was not recognized.", Host.Provider("hydroshare").CheckSpec("not-an-id")?.Message);

    [Fact]
    public async Task HydroShare_Fetch_KeepsOnlyTheBagsContents()
    {
        Fake.AddHydroShareResource(ResourceId, "2019-09-24T17:43:33.577934Z", Bag());
        using var folder = new TempFolder();

        var failure = await FetchAsync("hydroshare", $"https://www.hydroshare.org/resource/{ResourceId}", $"{ResourceId}.v1569347013", folder);

        Assert.Null(failure);
        Assert.Equal(["binder/requirements.txt", "notebook.ipynb"], folder.Files());
    }

    [Fact]
    public async Task Ckan_LatestVersion_WithBinderHubsNames()
    {
        Fake.AddCkanDataset("sample", "2020-05-01T10:20:30.123456", [("data.csv", "a,b\n"u8.ToArray())]);
        var url = $"{Fake.CkanSiteUrl}/dataset/sample";

        var repo = Assert.IsType<ResolveResult.Resolved>(await ResolveAsync("ckan", Uri.EscapeDataString(url))).Repo;

        Assert.Equal("sample.v1588328430", repo.ResolvedRef);
        Assert.Equal("ckan-sample", repo.BuildSlug);
        Assert.Equal(url, repo.RepoUrl);
        Assert.Equal(url, repo.RefUrl);
    }

    [Fact]
    public async Task Ckan_HistoryUrl_ReadsThatActivity()
    {
        Fake.AddCkanDataset("sample", "2020-05-01T10:20:30.123456", [("data.csv", "a,b\n"u8.ToArray())], activityId: "act-1");

        var repo = Assert.IsType<ResolveResult.Resolved>(await ResolveAsync("ckan", Uri.EscapeDataString($"{Fake.CkanSiteUrl}/dataset/sample/history/act-1"))).Repo;

        Assert.Equal("sample.v1622548800", repo.ResolvedRef);
        Assert.Contains("/ckan/api/3/action/activity_data_show?id=act-1&object_type=package", Fake.Requests);
    }

    [Fact]
    public async Task Ckan_UnknownDataset_IsNotFound() =>
        Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(await ResolveAsync("ckan", Uri.EscapeDataString($"{Fake.CkanSiteUrl}/dataset/nope"))).StatusCode);

    [Fact]
    public void Ckan_UrlWithoutDataset_IsRefused() =>
        Assert.Equal(400, Host.Provider("ckan").CheckSpec(Uri.EscapeDataString("https://demo.ckan.org/organization/x"))?.StatusCode);

    [Fact]
    public async Task Ckan_Fetch_DownloadsEveryResource()
    {
        Fake.AddCkanDataset("files", "2020-05-01T10:20:30.123456", [("requirements.txt", "numpy\n"u8.ToArray()), ("data.csv", "a,b\n"u8.ToArray())]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("ckan", $"{Fake.CkanSiteUrl}/dataset/files", "files.v1588328430", folder);

        Assert.Null(failure);
        Assert.Equal(["data.csv", "requirements.txt"], folder.Files());
    }

    private static byte[] Bag() => TestZips.Of(
        ($"{ResourceId}/bagit.txt", "BagIt-Version: 0.96\n"),
        ($"{ResourceId}/data/resourcemetadata.xml", "<rdf/>"),
        ($"{ResourceId}/data/contents/notebook.ipynb", "{}"),
        ($"{ResourceId}/data/contents/binder/requirements.txt", "numpy\n"));

    private Task<ResolveResult> ResolveAsync(string provider, string spec) => Host.Provider(provider).ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout);

    private Task<ContentFailure?> FetchAsync(string provider, string repoUrl, string record, TempFolder folder) =>
        Host.Fetcher(provider).FetchAsync(new ContentSource(repoUrl, record), folder.Checkout, _ => { }, CancellationToken.None).WaitAsync(Timeout);
}
