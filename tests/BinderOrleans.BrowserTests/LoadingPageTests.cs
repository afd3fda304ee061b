using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>The loading page against the fake backend: phases, log, favicon, and BinderHub's redirect rules.</summary>
[Collection(UiCollection.Name)]
public sealed class LoadingPageTests(UiFixture fixture)
{
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(30);

    private string Base => fixture.Server.BaseUri.ToString();

    [Fact]
    public async Task LoadingPage_Build_MovesThroughPhasesThenLandsOnServerWithToken()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var recorder = await PageRecorder.AttachAsync(page);
            await page.GotoAsync($"{Base}v2/gh/owner/slow-phases/HEAD");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Starting repository: owner/slow-phases/HEAD" }));

            // While it builds (a "slow" repository: a second per step, so the page is still here under load): show the
            // log and screenshot the page.
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'building'", null,
                new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            await page.GetByRole(AriaRole.Button, new() { Name = "Show logs" }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.querySelector('#log .xterm-rows')?.innerText.includes('Step 2/3')");
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("loading-page-building.png"), FullPage = true });

            await page.WaitForURLAsync(new Regex($"^{Regex.Escape(fixture.Notebook.BaseUri.ToString())}user/session-\\d+/\\?token=token-"),
                new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            Assert.Equal("Fake notebook server", await page.Locator("#fake-notebook").InnerTextAsync());

            Assert.Equal(["waiting", "building", "pushing", "launching", "success"], recorder.States);
            Assert.Equal(["favicon_building.svg", "favicon_success.svg"], recorder.Favicons.Where(f => f != "favicon.svg"));
            var phases = recorder.Events.Select(e => e.GetProperty("phase").GetString()).Distinct().ToList();
            Assert.Equal(["waiting", "fetching", "building", "pushing", "built", "launching", "ready"], phases);

            // The page's own build token admitted it (no rate limit for visitors of a /v2 link).
            var report = await fixture.Launches.WaitForAsync("owner/slow-phases/HEAD", LaunchTimeout);
            Assert.True(report.Succeeded);
            Assert.True(report.UsedBuildToken);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    public static TheoryData<string, string> RedirectCases() => new()
    {
        // query of the loading page, expected path and query on the server after "user/session-N/"
        { "", "?token=" },
        { "?urlpath=lab", "lab?token=" },
        { "?urlpath=%2Fdoc%2Ftree%2Fsome+file+with+spaces.ipynb", "doc/tree/some%20file%20with%20spaces.ipynb?token=" },
        { "?urlpath=%2F%2Fvoila%2Frender%2Fa.ipynb%3Fx%3D1", "voila/render/a.ipynb?x=1&token=" },
        { "?labpath=notebooks%2F%C3%BCber+uns.ipynb%2F", "doc/tree/notebooks/%C3%BCber%20uns.ipynb?token=" },
        { "?filepath=dir%2F100%25+done.ipynb", "tree/dir/100%25%20done.ipynb?token=" },
        { "?urlpath=lab&filepath=a.ipynb", "tree/a.ipynb?token=" },
        { "?urlpath=lab&filepath=a.ipynb&labpath=b.ipynb", "doc/tree/b.ipynb?token=" },
    };

    [Theory]
    [MemberData(nameof(RedirectCases))]
    public async Task LoadingPage_Ready_RedirectsAsBinderHubDoes(string query, string expected)
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync($"{Base}v2/gh/owner/redirects/HEAD{query}");
            var prefix = Regex.Escape(fixture.Notebook.BaseUri.ToString()) + "user/session-\\d+/";
            await page.WaitForURLAsync(new Regex($"^{prefix}"), new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            var landed = page.Url;
            Assert.Matches(new Regex($"^{prefix}{Regex.Escape(expected)}token-\\d+-[0-9a-f]{{32}}$"), landed);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task LoadingPage_FailingBuild_ShowsFailureLogAndFailIcon()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var recorder = await PageRecorder.AttachAsync(page);
            await page.GotoAsync($"{Base}v2/gh/owner/will-fail/HEAD");
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null,
                new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });

            Assert.True(await page.Locator("#log-container").IsVisibleAsync(), "the log opens by itself on failure");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Hide logs" }));
            await page.WaitForFunctionAsync("() => document.querySelector('#log .xterm-rows').innerText.includes('No matching distribution')");
            Assert.Contains("returned a non-zero code: 1", await page.Locator("#build-status").InnerTextAsync());
            Assert.EndsWith("favicon_fail.svg", await page.Locator("#favicon").GetAttributeAsync("href"));
            Assert.Equal("Launch failed", await page.Locator("#build-heading").InnerTextAsync());
            Assert.Equal(["waiting", "building", "failed"], recorder.States);
            Assert.Equal("100", await page.GetByRole(AriaRole.Progressbar).GetAttributeAsync("aria-valuenow"));
            Assert.StartsWith($"{Base}v2/gh/owner/will-fail/HEAD", page.Url);
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("loading-page-failed.png"), FullPage = true });

            // "View raw log" opens every message as plain text in a new tab.
            var popupTask = page.Context.WaitForPageAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "View raw log" }).ClickAsync();
            var popup = await popupTask;
            await popup.WaitForLoadStateAsync();
            var raw = await popup.InnerTextAsync("body");
            Assert.Contains("Picked Git content provider.", raw);
            Assert.Contains("ERROR: No matching distribution found for notapackage==9.9", raw);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task LoadingPage_FailingBuild_LinksToTheSavedBuildLog()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync($"{Base}v2/gh/owner/saved-log-fail/HEAD");
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null,
                new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });

            var link = page.GetByRole(AriaRole.Link, new() { Name = "Saved build log" });
            await Expect(link);
            Assert.StartsWith($"{Base}api/buildlogs/build-", await link.GetAttributeAsync("href"), StringComparison.Ordinal);
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("loading-page-failed-saved-log.png"), FullPage = true });

            // The link opens the kept log as text, the whole build in order, ending with the failure.
            var popupTask = page.Context.WaitForPageAsync();
            await link.ClickAsync();
            var popup = await popupTask;
            await popup.WaitForLoadStateAsync();
            var text = await popup.InnerTextAsync("body");
            Assert.StartsWith("Waiting for build to start...", text, StringComparison.Ordinal);
            Assert.Contains("ERROR: No matching distribution found for notapackage==9.9", text, StringComparison.Ordinal);
            Assert.EndsWith("returned a non-zero code: 1", text.TrimEnd(), StringComparison.Ordinal);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static Task Expect(ILocator locator) => locator.WaitForAsync(new() { State = WaitForSelectorState.Visible });
}
