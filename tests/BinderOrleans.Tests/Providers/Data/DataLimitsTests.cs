using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>
/// Issue 21, sizes and counts (<c>Providers:Data:MaxBytes</c>, <c>MaxFileBytes</c>, <c>MaxFiles</c>): records over a limit,
/// records that lie about their sizes, and zip bombs are refused with 413 naming the limit, and leave nothing behind.
/// </summary>
public sealed class DataLimitsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private FakeDataRepositories _fake = null!;
    private DataProviderHost _host = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDataRepositories.StartAsync().WaitAsync(Timeout);
        _host = new DataProviderHost(_fake, new Dictionary<string, string?>
        {
            ["Providers:Data:MaxBytes"] = "300000",
            ["Providers:Data:MaxFileBytes"] = "200000",
            ["Providers:Data:MaxFiles"] = "3",
        });
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _fake.DisposeAsync();
    }

    private async Task<ContentFailure?> FetchZenodoAsync(string record)
    {
        using var folder = new TempFolder();
        var failure = await _host.Fetcher("zenodo").FetchAsync(new ContentSource($"10.5281/zenodo.{record}", record), folder.Checkout, _ => { }, CancellationToken.None)
            .WaitAsync(Timeout);
        // Nothing unpacked from a refused archive stays.
        if (failure is not null) Assert.DoesNotContain(folder.Files(), f => f.EndsWith(".txt", StringComparison.Ordinal));
        return failure;
    }

    private static void AssertRefused(ContentFailure? failure, string key)
    {
        Assert.Equal(413, failure?.StatusCode);
        Assert.Contains(key, failure!.Message);
    }

    [Fact]
    public async Task RecordWithTooManyFiles_IsRefused_BeforeAnyDownload()
    {
        _fake.AddZenodoRecord("1", "10.5281/zenodo.1", [("a", [1]), ("b", [2]), ("c", [3]), ("d", [4])]);

        AssertRefused(await FetchZenodoAsync("1"), "Providers:Data:MaxFiles");
        Assert.DoesNotContain(_fake.Requests, r => r.EndsWith("/content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FileDeclaredOverThePerFileCap_IsRefused_BeforeAnyDownload()
    {
        _fake.AddZenodoRecord("2", "10.5281/zenodo.2", [("big.bin", new byte[250_000])]);

        AssertRefused(await FetchZenodoAsync("2"), "Providers:Data:MaxFileBytes");
        Assert.DoesNotContain(_fake.Requests, r => r.EndsWith("/content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FileLyingUnderThePerFileCap_IsStoppedWhileStreaming()
    {
        _fake.AddZenodoRecord("3", "10.5281/zenodo.3", [("big.bin", new byte[250_000])], declaredSizes: [10]);

        AssertRefused(await FetchZenodoAsync("3"), "Providers:Data:MaxFileBytes");
    }

    [Fact]
    public async Task FilesLyingUnderTheTotal_AreStoppedWhileStreaming()
    {
        _fake.AddZenodoRecord("4", "10.5281/zenodo.4", [("a.bin", new byte[150_000]), ("b.bin", new byte[150_000]), ("c.bin", new byte[150_000])],
            declaredSizes: [10, 10, 10]);

        AssertRefused(await FetchZenodoAsync("4"), "Providers:Data:MaxBytes");
    }

    [Fact]
    public async Task FilesUnderEveryLimit_AreFetched()
    {
        _fake.AddZenodoRecord("5", "10.5281/zenodo.5", [("a.bin", new byte[100_000]), ("b.bin", new byte[100_000])]);

        Assert.Null(await FetchZenodoAsync("5"));
    }

    [Fact]
    public async Task ZipBomb_OneEntryUnpackingPastThePerFileCap_IsRefused()
    {
        // 10 MB of zeros packs into a few kB: the download is small, the unpacking is not.
        _fake.AddZenodoRecord("6", "10.5281/zenodo.6", [("bomb.zip", TestZips.Of(("zeros.txt", new string('0', 10 << 20))))]);

        AssertRefused(await FetchZenodoAsync("6"), "Providers:Data:MaxFileBytes");
    }

    [Fact]
    public async Task ZipBomb_EntriesUnpackingPastTheTotal_IsRefused()
    {
        var entries = Enumerable.Range(0, 3).Select(i => ($"part{i}.txt", new string('0', 150_000))).ToArray();
        _fake.AddZenodoRecord("7", "10.5281/zenodo.7", [("bomb.zip", TestZips.Of(entries))]);

        AssertRefused(await FetchZenodoAsync("7"), "Providers:Data:MaxBytes");
    }

    [Fact]
    public async Task ZipWithTooManyEntries_IsRefused_BeforeUnpacking()
    {
        var entries = Enumerable.Range(0, 50).Select(i => ($"f{i}.txt", "x")).ToArray();
        _fake.AddZenodoRecord("8", "10.5281/zenodo.8", [("many.zip", TestZips.Of(entries))]);

        AssertRefused(await FetchZenodoAsync("8"), "Providers:Data:MaxFiles");
    }
}
