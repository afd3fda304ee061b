using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>The dataverse provider against the fake doi.org and a fake installation.</summary>
public sealed class DataverseProviderTests : DataProviderTests
{
    [Fact]
    public async Task Doi_ResolvesToTheLatestVersion_WithBinderHubsNames()
    {
        AddDataset();

        var repo = Assert.IsType<ResolveResult.Resolved>(await Host.Provider("dataverse").ResolveAsync("10.7910/DVN/TJCLKP", CancellationToken.None).WaitAsync(Timeout)).Repo;

        Assert.Equal("3323458.v3.0", repo.ResolvedRef);
        Assert.Equal("dataverse-dvn-2ftjclkp", repo.BuildSlug);
        Assert.Equal("10.7910/DVN/TJCLKP", repo.ResolvedSpec);
        Assert.Equal("https://doi.org/10.7910/DVN/TJCLKP", repo.RefUrl);
        Assert.Equal("10.7910/DVN/TJCLKP", repo.RepoUrl);
    }

    [Fact]
    public async Task DatasetTheInstallationDoesNotHave_IsNotFound()
    {
        Fake.AddDoi("10.7910/DVN/GONE", "/citation?persistentId=doi:10.7910/DVN/GONE");
        AddDataset();

        var failed = Assert.IsType<ResolveResult.Failed>(await Host.Provider("dataverse").ResolveAsync("10.7910/DVN/GONE", CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(404, failed.StatusCode);
    }

    [Fact]
    public async Task DoiLeadingToAnotherPage_IsRefused()
    {
        Fake.AddDoi("10.7910/DVN/ELSE", "/somewhere");
        Fake.AddPage("/somewhere");

        var failed = Assert.IsType<ResolveResult.Failed>(await Host.Provider("dataverse").ResolveAsync("10.7910/DVN/ELSE", CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(400, failed.StatusCode);
        Assert.Contains("which is not a Dataverse dataset page", failed.Message);
    }

    [Fact]
    public async Task InstallationNotAllowed_IsRefused()
    {
        AddDataset();
        using var host = new DataProviderHost(Fake, new Dictionary<string, string?> { ["Providers:Dataverse:AllowedHosts:0"] = "dataverse.harvard.edu" });

        var failed = Assert.IsType<ResolveResult.Failed>(await host.Provider("dataverse").ResolveAsync("10.7910/DVN/TJCLKP", CancellationToken.None).WaitAsync(Timeout));

        Assert.Equal(400, failed.StatusCode);
        Assert.Contains("Providers:Dataverse:AllowedHosts", failed.Message);
    }

    [Fact]
    public async Task Fetch_PutsFilesInTheirFolders_FlatteningALoneTopFolder()
    {
        AddDataset();
        using var folder = new TempFolder();

        var failure = await Host.Fetcher("dataverse").FetchAsync(new ContentSource("10.7910/DVN/TJCLKP", "3323458.v3.0"), folder.Checkout, _ => { }, CancellationToken.None).WaitAsync(Timeout);

        Assert.Null(failure);
        Assert.Equal(["binder/requirements.txt", "notebook.ipynb"], folder.Files());
    }

    [Fact]
    public async Task Fetch_FileNameClimbingOut_IsRefused_BeforeAnyDownload()
    {
        Fake.AddDoi("10.7910/DVN/EVIL", "/citation?persistentId=doi:10.7910/DVN/EVIL");
        Fake.AddDataverseDataset("10.7910/DVN/EVIL", 77, (1, 0), [("..", "evil.txt", "x"u8.ToArray())]);
        using var folder = new TempFolder();

        var failure = await Host.Fetcher("dataverse").FetchAsync(new ContentSource("10.7910/DVN/EVIL", "77.v1.0"), folder.Checkout, _ => { }, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(422, failure?.StatusCode);
        Assert.Contains("'../evil.txt' has a '..' segment", failure!.Message);
        Assert.Empty(folder.OutsideCheckout());
        Assert.DoesNotContain(Fake.Requests, r => r.StartsWith("/api/access/", StringComparison.Ordinal));
    }

    private void AddDataset()
    {
        Fake.AddDoi("10.7910/DVN/TJCLKP", "/citation?persistentId=doi:10.7910/DVN/TJCLKP");
        Fake.AddDataverseDataset("10.7910/DVN/TJCLKP", 3323458, (3, 0),
            [("project", "notebook.ipynb", "{}"u8.ToArray()), ("project/binder", "requirements.txt", "numpy\n"u8.ToArray())]);
    }
}
