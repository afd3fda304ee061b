using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace BinderOrleans.BrowserTests;

/// <summary>The UI routes over plain HTTP: shell and pageConfig, legacy redirect, badges, errors.</summary>
[Collection(UiCollection.Name)]
public sealed class PageRoutesTests(UiFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private async Task<HttpResponseMessage> GetAsync(string path, bool followRedirects = true)
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = followRedirects };
        using var client = new HttpClient(handler) { BaseAddress = fixture.Server.BaseUri, Timeout = Timeout };
        var response = await client.GetAsync(path).WaitAsync(Timeout);
        await response.Content.LoadIntoBufferAsync().WaitAsync(Timeout);
        return response;
    }

    private static JsonElement PageConfig(string html)
    {
        var match = Regex.Match(html, @"window\.pageConfig = (\{.*?\});</script>", RegexOptions.Singleline);
        Assert.True(match.Success, "the shell sets window.pageConfig");
        return JsonDocument.Parse(match.Groups[1].Value).RootElement;
    }

    [Fact]
    public async Task HomePage_Shell_CarriesPageConfigLikeBinderHub()
    {
        using var response = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        var config = PageConfig(html);
        Assert.Equal("/", config.GetProperty("baseUrl").GetString());
        Assert.Equal(BinderOrleans.Server.Info.InfoApi.Version, config.GetProperty("binderVersion").GetString());
        Assert.Equal(["gh", "git", "zenodo"], config.GetProperty("repoProviders").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal("^(https?://github.com/)?(?<repo>.*)", config.GetProperty("repoProviders")[0].GetProperty("detect").GetProperty("regex").GetString());
        Assert.DoesNotMatch(@"(src|href)=""(https?:)?//", html); // nothing from other hosts (no CDN)
        Assert.Contains("lib/xterm/xterm.js", html);
        Assert.Contains("lib/signalr/signalr.min.js", html);
    }

    [Fact]
    public async Task Assets_FromNpm_AreServed()
    {
        foreach (var path in new[] { "lib/xterm/xterm.js", "lib/xterm/xterm.css", "lib/xterm/addon-fit.js", "lib/signalr/signalr.min.js" })
        {
            using var response = await GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} (run scripts/assets.sh)");
        }
    }

    [Fact]
    public async Task LoadingPage_RawSpec_KeepsEscapesAndSetsTitle()
    {
        using var response = await GetAsync("/v2/git/https%3A%2F%2Fexample.org%2Fr%C3%BC.git/HEAD?urlpath=lab");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var config = PageConfig(html);
        Assert.Equal("git", config.GetProperty("provider").GetString());
        Assert.Equal("https%3A%2F%2Fexample.org%2Fr%C3%BC.git/HEAD", config.GetProperty("spec").GetString());
        Assert.Contains("<meta property=\"og:title\" content=\"Git repository: https%3A%2F%2Fexample.org%2Fr%C3%BC.git/HEAD\">", html);
    }

    [Theory]
    [InlineData("/v2/nope/a/b/HEAD", HttpStatusCode.NotFound)]
    [InlineData("/v2/gh/owner%2Frepo/HEAD", HttpStatusCode.BadRequest)]
    [InlineData("/no/such/page", HttpStatusCode.NotFound)]
    public async Task BadAddresses_GetAnErrorPageWithTheRightStatus(string path, HttpStatusCode status)
    {
        using var response = await GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<h1>{(int)status}: ", html);
    }

    [Theory]
    [InlineData("/repo/binder-examples/requirements", "/v2/gh/binder-examples/requirements/master")]
    [InlineData("/repo/a/b/notebooks/x.ipynb", "/v2/gh/a/b/master?urlpath=%2Fnotebooks%2Fx.ipynb")]
    [InlineData("/repo/a/b/has%20space/%C3%BCnicode.ipynb", "/v2/gh/a/b/master?urlpath=%2Fhas+space%2F%C3%BCnicode.ipynb")]
    public async Task LegacyRepoLink_RedirectsToV2AtMaster(string path, string location)
    {
        using var response = await GetAsync(path, followRedirects: false);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/badge.svg")]
    [InlineData("/badge_logo.svg")]
    [InlineData("/assets/images/badge.svg")]
    [InlineData("/static/img/favicon_building.svg")]
    [InlineData("/static/img/favicon_success.svg")]
    [InlineData("/static/img/favicon_fail.svg")]
    public async Task Images_AreSvgThatSaysLaunchBinder(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var svg = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        if (path.Contains("badge", StringComparison.Ordinal)) Assert.Equal("launch: binder", svg.Root.Attribute("aria-label")?.Value);
    }
}
