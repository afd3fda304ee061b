using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Testing;
using BinderOrleans.Testing.DataRepositories;

namespace BinderOrleans.Tests.Providers.Data;

/// <summary>
/// Issue 21 for the data repositories: the fakes on 127.0.0.2 (allowed by <c>Security:AllowedTargetNetworks=127.0.0.2/32</c>),
/// an "inside" listener on 127.0.0.3 (and [::1]). Records, files, DOIs and redirects that lead inside are refused with
/// 403 naming the setting, the listener sees no connection, and the message is the same for an open and a closed port.
/// </summary>
public sealed class OutboundGuardDataTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly InsideListener _inside = new();
    private FakeDataRepositories _fake = null!;
    private DataProviderHost _host = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDataRepositories.StartAsync(LoopbackHostResolver.Allowed).WaitAsync(Timeout);
        _host = new DataProviderHost(_fake, new Dictionary<string, string?> { ["Security:AllowedTargetNetworks:0"] = "127.0.0.2/32" },
            new LoopbackHostResolver());
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _fake.DisposeAsync();
        _inside.Dispose();
    }

    public static TheoryData<string> HostForms => [.. InsideListener.HostForms];

    private async Task<ContentFailure?> FetchAsync(string provider, string repoUrl, string record)
    {
        using var folder = new TempFolder();
        var failure = await _host.Fetcher(provider).FetchAsync(new ContentSource(repoUrl, record), folder.Checkout, _ => { }, CancellationToken.None).WaitAsync(Timeout);
        Assert.DoesNotContain(folder.Files(), f => File.ReadAllText(Path.Combine(folder.Checkout, f)).Contains(InsideListener.Secret, StringComparison.Ordinal));
        return failure;
    }

    private void AssertRefused(string? message, int? status)
    {
        Assert.Equal(OutboundRefusedException.StatusCode, status);
        Assert.Contains("Security:AllowedTargetNetworks", message);
        Assert.DoesNotContain(InsideListener.Secret, message);
        Assert.Equal(0, _inside.Connections);
    }

    [Theory]
    [MemberData(nameof(HostForms))]
    public async Task CkanResource_PointingInside_IsRefused_TheSameForOpenAndClosedPorts(string host)
    {
        _fake.ElsewhereFiles["open.csv"] = _inside.Url(host, "/open.csv");
        _fake.AddCkanDataset("open", "2020-05-01T10:20:30.123456", [("open.csv", "a,b\n"u8.ToArray())]);
        _fake.ElsewhereFiles["closed.csv"] = _inside.Url(host, "/closed.csv", closed: true);
        _fake.AddCkanDataset("closed", "2020-05-01T10:20:30.123456", [("closed.csv", "a,b\n"u8.ToArray())]);

        var open = await FetchAsync("ckan", $"{_fake.CkanSiteUrl}/dataset/open", "open.v1588328430");
        var closed = await FetchAsync("ckan", $"{_fake.CkanSiteUrl}/dataset/closed", "closed.v1588328430");

        AssertRefused(open?.Message, open?.StatusCode);
        AssertRefused(closed?.Message, closed?.StatusCode);
        Assert.Equal(open!.Message.Replace("open", "closed", StringComparison.Ordinal), closed!.Message);
    }

    [Theory]
    [MemberData(nameof(HostForms))]
    public async Task CkanSite_Inside_IsRefusedWhenResolving_TheSameForOpenAndClosedPorts(string host)
    {
        var ckan = _host.Provider("ckan");
        var open = await ckan.ResolveAsync(Uri.EscapeDataString(_inside.Url(host, "/dataset/x").ToString()), CancellationToken.None).WaitAsync(Timeout);
        var closed = await ckan.ResolveAsync(Uri.EscapeDataString(_inside.Url(host, "/dataset/x", closed: true).ToString()), CancellationToken.None).WaitAsync(Timeout);

        var (openFailure, closedFailure) = (Assert.IsType<ResolveResult.Failed>(open), Assert.IsType<ResolveResult.Failed>(closed));
        AssertRefused(openFailure.Message, openFailure.StatusCode);
        AssertRefused(closedFailure.Message, closedFailure.StatusCode);
        Assert.Equal(openFailure.Message.Replace(_inside.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "PORT", StringComparison.Ordinal),
            closedFailure.Message.Replace(_inside.ClosedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "PORT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CkanResource_RedirectedInsideByAnAllowedHost_IsRefused()
    {
        _fake.AddRedirect("/moved/data.csv", _inside.Url("127.0.0.3", "/data.csv").ToString());
        _fake.ElsewhereFiles["data.csv"] = new Uri(_fake.BaseUri, "/moved/data.csv");
        _fake.AddCkanDataset("moved", "2020-05-01T10:20:30.123456", [("data.csv", "a,b\n"u8.ToArray())]);

        var failure = await FetchAsync("ckan", $"{_fake.CkanSiteUrl}/dataset/moved", "moved.v1588328430");

        AssertRefused(failure?.Message, failure?.StatusCode);
        Assert.Contains("/moved/data.csv", _fake.Requests);
    }

    [Theory]
    [InlineData("127.0.0.3")]
    [InlineData(LoopbackHostResolver.InsideName)]
    [InlineData("2130706435")]
    public async Task ZenodoFile_PointingInside_IsRefused(string host)
    {
        _fake.ElsewhereFiles["environment.yml"] = _inside.Url(host, "/environment.yml");
        _fake.AddZenodoRecord("123", "10.5281/zenodo.123", [("environment.yml", "x"u8.ToArray())]);

        var failure = await FetchAsync("zenodo", "10.5281/zenodo.123", "123");

        AssertRefused(failure?.Message, failure?.StatusCode);
    }

    [Fact]
    public async Task ZenodoDoi_RedirectedInside_IsRefusedWhenResolving()
    {
        _fake.AddDoi("10.5281/zenodo.9", _inside.Url("127.0.0.3", "/zenodo/records/9").ToString());

        var failed = Assert.IsType<ResolveResult.Failed>(await _host.Provider("zenodo").ResolveAsync("10.5281/zenodo.9", CancellationToken.None).WaitAsync(Timeout));

        AssertRefused(failed.Message, failed.StatusCode);
    }

    [Fact]
    public async Task FigshareFile_PointingInside_IsRefused()
    {
        _fake.ElsewhereFiles["data.csv"] = _inside.Url("[::1]", "/data.csv");
        _fake.AddFigshareArticle("9782777", 1, [("data.csv", "a"u8.ToArray())]);

        var failure = await FetchAsync("figshare", "10.6084/m9.figshare.9782777.v1", "9782777.v1");

        AssertRefused(failure?.Message, failure?.StatusCode);
    }

    [Fact]
    public async Task DataverseDoi_LeadingInside_IsRefusedWhenResolving()
    {
        _fake.AddDoi("10.7910/DVN/INSIDE", _inside.Url(LoopbackHostResolver.InsideName, "/citation?persistentId=doi:10.7910/DVN/INSIDE").ToString());

        var failed = Assert.IsType<ResolveResult.Failed>(await _host.Provider("dataverse").ResolveAsync("10.7910/DVN/INSIDE", CancellationToken.None).WaitAsync(Timeout));

        AssertRefused(failed.Message, failed.StatusCode);
    }

    [Fact]
    public async Task HydroShareBag_RedirectedInside_IsRefused()
    {
        const string id = "8f7c2f0341ef4180b0dbe97f59130756";
        _fake.AddHydroShareResource(id, "2019-09-24T17:43:33.577934Z", TestZips.Of(($"{id}/data/contents/a.txt", "a")));
        // HydroShare sends the bag through a redirect (to S3); this one leads inside.
        _fake.AddRedirect($"/hydroshare/django_s3/download/bags/{id}.zip", _inside.Url("0x7f000003", $"/{id}.zip").ToString());

        var failure = await FetchAsync("hydroshare", $"https://www.hydroshare.org/resource/{id}", $"{id}.v1569347013");

        AssertRefused(failure?.Message, failure?.StatusCode);
    }

    [Fact]
    public async Task AllowedHost_StillServesItsRecords()
    {
        _fake.AddCkanDataset("fine", "2020-05-01T10:20:30.123456", [("data.csv", "a,b\n"u8.ToArray())]);

        Assert.Null(await FetchAsync("ckan", $"{_fake.CkanSiteUrl}/dataset/fine", "fine.v1588328430"));
    }
}
