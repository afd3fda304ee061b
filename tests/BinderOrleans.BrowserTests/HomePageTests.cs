using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>The home page's launcher and the other pages, against the fake backend.</summary>
[Collection(UiCollection.Name)]
public sealed class HomePageTests(UiFixture fixture)
{
    private string Base => fixture.Server.BaseUri.ToString();

    [Fact]
    public async Task HomePage_Launch_ShowsProgressInPlaceThenOpensTheFile()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var recorder = await PageRecorder.AttachAsync(page);
            await page.GotoAsync(Base);
            Assert.False(await page.Locator("#build").IsVisibleAsync());
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FillAsync("https://github.com/owner/home-launch");
            await page.GetByLabel("Git ref (branch, tag, or commit)").FillAsync("main");
            await page.Locator("[name='path']").FillAsync("notebooks/ünï code.ipynb");
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("home-page.png"), FullPage = true });

            await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();
            await page.Locator("#build").WaitForAsync();
            Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Launching…" }).IsDisabledAsync());

            await page.WaitForURLAsync(new Regex($"^{Regex.Escape(fixture.Notebook.BaseUri.ToString())}user/session-\\d+/doc/tree/notebooks/%C3%BCn%C3%AF%20code\\.ipynb\\?token=token-"),
                new() { Timeout = 30_000 });
            Assert.Equal(["waiting", "building", "pushing", "launching", "success"], recorder.States.Where(s => s != "idle"));
            Assert.Contains("v2/gh/owner/home-launch/main", fixture.Notebook.Requests);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task HomePage_PastedFileGitUrl_IsResolvedByRealGitAndLaunched()
    {
        using var repo = BinderOrleans.Testing.GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "# pasted\n" });
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Providers:Git:AllowedSchemes:0"] = "file" }, realProviders: true);
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(server.BaseUri.ToString());
            await page.GetByLabel("Repository provider").SelectOptionAsync(new SelectOptionValue { Label = "Git repository" });
            await page.EvaluateAsync("(url) => navigator.clipboard.writeText(url)", repo.Url);
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FocusAsync();
            await page.Keyboard.PressAsync("Control+V");
            var spec = $"{Uri.EscapeDataString(repo.Url)}/HEAD";
            Assert.Equal($"{server.BaseUri}v2/git/{spec}", await page.GetByTestId("launch-url").InnerTextAsync());

            await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();
            await page.WaitForURLAsync(new Regex($"^{Regex.Escape(fixture.Notebook.BaseUri.ToString())}user/session-\\d+/\\?token="), new() { Timeout = 30_000 });
            Assert.Contains($"v2/git/{spec}", fixture.Notebook.Requests);
            var build = Assert.Single(fixture.Backend.Requests, r => r.RepoUrl == repo.Url);
            Assert.Equal(repo.Head, build.ResolvedRef);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task HomePage_FailedLaunch_ShowsLogAndLetsYouTryAgain()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(Base);
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FillAsync("owner/home-fail");
            await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null, new() { Timeout = 30_000 });
            Assert.True(await page.Locator("#log-container").IsVisibleAsync());
            Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).IsEnabledAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [InlineData("", "home-page-phone.png")]
    [InlineData("v2/gh/owner/phone-fail/HEAD", "loading-page-phone.png")]
    public async Task Pages_OnAPhoneSizedScreen_DoNotScrollSideways(string path, string screenshot)
    {
        var page = await Chromium.NewPageAsync(fixture.Browser, width: 390, height: 844);
        try
        {
            await page.GotoAsync(Base + path);
            if (path.Length > 0)
            {
                await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null, new() { Timeout = 30_000 });
            }
            else
            {
                await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FillAsync("https://github.com/binder-examples/requirements");
            }
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath(screenshot), FullPage = true });
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"the page is {overflow}px wider than the screen");
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task AboutPage_ShowsVersion()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var response = await page.GotoAsync($"{Base}about");
            Assert.Equal(200, response!.Status);
            Assert.Contains("This website is powered by", await page.ContentAsync());
            Assert.Equal(BinderOrleans.Server.Info.InfoApi.Version, await page.Locator("#binder-version").InnerTextAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
