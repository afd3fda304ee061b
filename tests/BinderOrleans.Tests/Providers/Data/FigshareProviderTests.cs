using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>The figshare provider against the fake doi.org and Figshare API.</summary>
public sealed class FigshareProviderTests : DataProviderTests
{
    [Fact]
    public async Task VersionedDoi_KeepsItsVersion_WithBinderHubsNames()
    {
        Fake.AddFigshareArticle("9782777", versions: 3, [("requirements.txt", "numpy\n"u8.ToArray())]);
        Fake.AddDoi("10.6084/m9.figshare.9782777.v1", "/figshare/articles/dataset/data/9782777/1");

        var repo = Assert.IsType<ResolveResult.Resolved>(await ResolveAsync("10.6084/m9.figshare.9782777.v1")).Repo;

        Assert.Equal("9782777.v1", repo.ResolvedRef);
        Assert.Equal("figshare-9782777.v1", repo.BuildSlug);
        Assert.Equal("10.6084/m9.figshare.9782777.v1", repo.ResolvedSpec);
        Assert.Equal("https://doi.org/10.6084/m9.figshare.9782777.v1", repo.RefUrl);
        Assert.Equal("10.6084/m9.figshare.9782777.v1", repo.RepoUrl);
    }

    [Fact]
    public async Task UnversionedDoi_TakesTheNewestVersionFromTheApi()
    {
        Fake.AddFigshareArticle("555", versions: 3, [("a.txt", "a"u8.ToArray())]);
        Fake.AddDoi("10.6084/m9.figshare.555", "/figshare/articles/dataset/data/555");

        var repo = Assert.IsType<ResolveResult.Resolved>(await ResolveAsync("10.6084/m9.figshare.555")).Repo;

        Assert.Equal("555.v3", repo.ResolvedRef);
        Assert.Equal("10.6084/m9.figshare.555.v3", repo.ResolvedSpec);
        Assert.Equal("https://doi.org/10.6084/m9.figshare.555.v3", repo.RefUrl);
    }

    [Fact]
    public async Task UnknownDoi_IsNotFound()
    {
        var failed = Assert.IsType<ResolveResult.Failed>(await ResolveAsync("10.6084/m9.figshare.1.v1"));

        Assert.Equal(404, failed.StatusCode);
    }

    [Fact]
    public async Task DoiLeadingToSomethingElse_IsRefused()
    {
        Fake.AddDoi("10.6084/m9.figshare.77.v1", "/zenodo/records/77");
        Fake.AddPage("/zenodo/records/77");

        var failed = Assert.IsType<ResolveResult.Failed>(await ResolveAsync("10.6084/m9.figshare.77.v1"));

        Assert.Equal(400, failed.StatusCode);
        Assert.Contains("which is not a Figshare article", failed.Message);
    }

    [Theory]
    [InlineData("10.6084/figshare")]
    [InlineData("10.6084/m9.figshare.abc")]
    public void DoiWithoutAnArticleId_IsRefusedAsBinderHubDoes(string spec) =>
        Assert.Equal($"Unexpected figshare doi: {spec}", Host.Provider("figshare").CheckSpec(spec)?.Message);

    [Fact]
    public async Task Fetch_UnpacksALoneZip_AndSkipsLinkOnlyFiles()
    {
        Fake.AddFigshareArticle("600", versions: 1, [("code.zip", TestZips.Of(("code/", ""), ("code/environment.yml", "dependencies: []\n")))], linkOnly: "elsewhere.dat");
        using var folder = new TempFolder();

        var failure = await Host.Fetcher("figshare").FetchAsync(new ContentSource("10.6084/m9.figshare.600.v1", "600.v1"), folder.Checkout, _ => { }, CancellationToken.None).WaitAsync(Timeout);

        Assert.Null(failure);
        Assert.Equal(["environment.yml"], folder.Files());
    }

    [Fact]
    public async Task Fetch_MissingVersion_FailsWithNotFound()
    {
        Fake.AddFigshareArticle("601", versions: 1, [("a.txt", "a"u8.ToArray())]);
        using var folder = new TempFolder();

        var failure = await Host.Fetcher("figshare").FetchAsync(new ContentSource("10.6084/m9.figshare.601.v9", "601.v9"), folder.Checkout, _ => { }, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(404, failure?.StatusCode);
    }

    private Task<ResolveResult> ResolveAsync(string spec) => Host.Provider("figshare").ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout);
}
