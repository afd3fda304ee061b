using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>The zenodo provider against the fake doi.org and Zenodo: BinderHub's names, repo2docker's fetch, and the refusals.</summary>
public sealed class ZenodoProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private FakeDataRepositories _fake = null!;
    private DataProviderHost _host = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDataRepositories.StartAsync();
        _host = new DataProviderHost(_fake, new Dictionary<string, string?> { ["Providers:Data:MaxBytes"] = "4096" });
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task ConceptDoi_FollowsBothRedirects_ToTheNewestRecord_WithBinderHubsNames()
    {
        // doi.org → zenodo.org/doi/<doi> → zenodo.org/records/<newest>, as a concept DOI does.
        _fake.AddDoi("10.5281/zenodo.3242073", "/zenodo/doi/10.5281/zenodo.3242073");
        _fake.AddRedirect("/zenodo/doi/10.5281/zenodo.3242073", "/zenodo/records/3242074");
        _fake.AddZenodoRecord("3242074", "10.5281/zenodo.3242074", [("requirements.txt", "numpy\n"u8.ToArray())]);

        var result = await _host.Provider("zenodo").ResolveAsync("10.5281/zenodo.3242073", CancellationToken.None).WaitAsync(Timeout);

        var repo = Assert.IsType<ResolveResult.Resolved>(result).Repo;
        Assert.Equal("3242074", repo.ResolvedRef);
        Assert.Equal("zenodo-3242074", repo.BuildSlug);
        Assert.Equal("10.5281/zenodo.3242074", repo.ResolvedSpec);
        Assert.Equal("https://doi.org/10.5281/zenodo.3242074", repo.RefUrl);
        Assert.Equal("10.5281/zenodo.3242073", repo.RepoUrl);
    }

    [Fact]
    public async Task UnknownDoi_IsNotFound()
    {
        var result = await _host.Provider("zenodo").ResolveAsync("10.5281/zenodo.999", CancellationToken.None).WaitAsync(Timeout);

        var failed = Assert.IsType<ResolveResult.Failed>(result);
        Assert.Equal(404, failed.StatusCode);
        Assert.Equal("Could not resolve ref for zenodo:10.5281/zenodo.999. Double check your URL and that your repo is public.", failed.Message);
    }

    [Fact]
    public async Task DoiLeadingElsewhere_IsRefused_NamingWhereItLed()
    {
        _fake.AddDoi("10.5281/zenodo.42", "/figshare/articles/dataset/x/42");
        _fake.AddRedirect("/figshare/articles/dataset/x/42", "/zenodo-lookalike/records/42");
        _fake.AddPage("/zenodo-lookalike/records/42");

        var result = await _host.Provider("zenodo").ResolveAsync("10.5281/zenodo.42", CancellationToken.None).WaitAsync(Timeout);

        var failed = Assert.IsType<ResolveResult.Failed>(result);
        Assert.Equal(400, failed.StatusCode);
        Assert.Contains("zenodo-lookalike/records/42, which is not a record on", failed.Message);
    }

    [Theory]
    [InlineData("zenodo.3242074")]
    [InlineData("11.5281/zenodo.1")]
    [InlineData("10.5281/")]
    public void NotADoi_IsRefusedBeforeAnyCall(string spec)
    {
        var failed = _host.Provider("zenodo").CheckSpec(spec);

        Assert.Equal(400, failed?.StatusCode);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task RecordOfOneZip_IsUnpacked_AndItsTopFolderFlattened()
    {
        _fake.AddZenodoRecord("7", "10.5281/zenodo.7",
            [("project-v1.zip", TestZips.Of(("project-v1/", ""), ("project-v1/requirements.txt", "numpy\n"), ("project-v1/binder/postBuild", "echo hi\n")))]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo.7", "7", folder);

        Assert.Null(failure);
        Assert.Equal(["binder/postBuild", "requirements.txt"], folder.Files());
        Assert.Equal("numpy\n", File.ReadAllText(Path.Combine(folder.Checkout, "requirements.txt")));
    }

    [Fact]
    public async Task RecordOfSeveralFiles_KeepsThemAsTheyAre_ZipsIncluded()
    {
        var zip = TestZips.Of(("a.txt", "a"));
        _fake.AddZenodoRecord("8", "10.5281/zenodo.8", [("data.zip", zip), ("environment.yml", "dependencies: [python]\n"u8.ToArray())]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo.8", "8", folder);

        Assert.Null(failure);
        Assert.Equal(["data.zip", "environment.yml"], folder.Files());
        Assert.Equal(zip, File.ReadAllBytes(Path.Combine(folder.Checkout, "data.zip")));
    }

    [Fact]
    public async Task RecordOfOneFileThatIsNoZip_IsKept()
    {
        _fake.AddZenodoRecord("9", "10.5281/zenodo.9", [("notebook.ipynb", "{}"u8.ToArray())]);
        using var folder = new TempFolder();

        Assert.Null(await FetchAsync("10.5281/zenodo.9", "9", folder));
        Assert.Equal(["notebook.ipynb"], folder.Files());
    }

    [Fact]
    public async Task MissingRecord_FailsWithNotFound()
    {
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo.404", "404", folder);

        Assert.Equal(404, failure?.StatusCode);
        Assert.StartsWith("Zenodo record 404 does not exist", failure!.Message);
    }

    [Fact]
    public async Task RecordDeclaredTooLarge_FailsBeforeDownloading()
    {
        _fake.AddZenodoRecord("10", "10.5281/zenodo.10", [("big.bin", new byte[10])], declaredSizes: [5000]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo.10", "10", folder);

        Assert.Equal(413, failure?.StatusCode);
        Assert.Contains("Providers:Data:MaxBytes", failure!.Message);
        Assert.DoesNotContain(_fake.Requests, r => r.EndsWith("/content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecordLyingAboutItsSize_StopsWhenTheBytesPassTheLimit()
    {
        _fake.AddZenodoRecord("11", "10.5281/zenodo.11", [("big.bin", new byte[5000])], declaredSizes: [10]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo.11", "11", folder);

        Assert.Equal(413, failure?.StatusCode);
        Assert.False(File.Exists(Path.Combine(folder.Checkout, "big.bin")));
    }

    [Fact]
    public async Task ZipBomb_StopsWhenUnpackedBytesPassTheLimit()
    {
        _fake.AddZenodoRecord("12", "10.5281/zenodo.12", [("bomb.zip", TestZips.Of(("zeros.txt", new string('0', 100_000))))]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo.12", "12", folder);

        Assert.Equal(413, failure?.StatusCode);
        Assert.Contains("unpacked", failure!.Message);
    }

    public static TheoryData<string, string, byte[]> HostileZips => new()
    {
        { "101", "../evil.txt", TestZips.Of(("ok.txt", "ok"), ("../evil.txt", "pwned")) },
        { "102", "../../evil.txt", TestZips.Of(("ok.txt", "ok"), ("sub/../../../evil.txt", "pwned")) },
        { "103", "/tmp/", TestZips.Of(("ok.txt", "ok"), ("/tmp/binder-evil.txt", "pwned")) },
        { "104", "../", TestZips.WithLink("escape", "../", ("ok.txt", "ok")) },
        { "105", "/etc", TestZips.WithLink("etc", "/etc", ("ok.txt", "ok")) },
        { "106", "..", TestZips.WithLink("sub/up", "../..", ("sub/ok.txt", "ok")) },
    };

    [Theory]
    [MemberData(nameof(HostileZips))]
    public async Task ArchiveReachingOutOfTheFolder_IsRefused_AndWritesNothingOutside(string id, string hint, byte[] zip)
    {
        _fake.AddZenodoRecord(id, "10.5281/zenodo." + id, [("evil.zip", zip)]);
        using var folder = new TempFolder();

        var failure = await FetchAsync("10.5281/zenodo." + id, id, folder);

        Assert.Equal(422, failure?.StatusCode);
        Assert.Contains("Refusing to unpack", failure!.Message);
        Assert.Contains(hint, failure.Message);
        Assert.Empty(folder.OutsideCheckout());
        Assert.False(File.Exists("/tmp/binder-evil.txt"));
        Assert.DoesNotContain("ok.txt", folder.Files());
    }

    [Fact]
    public async Task LinkThatStaysInside_IsKeptAsALink()
    {
        _fake.AddZenodoRecord("13", "10.5281/zenodo.13", [("r.zip", TestZips.WithLink("requirements.txt", "deps/requirements.txt", ("deps/requirements.txt", "numpy\n")))]);
        using var folder = new TempFolder();

        Assert.Null(await FetchAsync("10.5281/zenodo.13", "13", folder));
        Assert.Equal("numpy\n", File.ReadAllText(Path.Combine(folder.Checkout, "requirements.txt")));
        Assert.Equal("deps/requirements.txt", new FileInfo(Path.Combine(folder.Checkout, "requirements.txt")).LinkTarget);
    }

    private async Task<ContentFailure?> FetchAsync(string doi, string record, TempFolder folder)
    {
        var log = new List<string>();
        return await _host.Fetcher("zenodo").FetchAsync(new ContentSource(doi, record), folder.Checkout, log.Add, CancellationToken.None).WaitAsync(Timeout);
    }
}
