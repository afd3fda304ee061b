using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>The home page's link and badge generator produces BinderHub's URLs, character for character.</summary>
[Collection(UiCollection.Name)]
public sealed class LinkGeneratorTests(UiFixture fixture)
{
    private string Base => fixture.Server.BaseUri.ToString();

    public static TheoryData<string, string, string, string, string, string> Cases() => new()
    {
        // provider, repository typed, ref, path, path kind, expected URL after the base
        { "gh", "binder-examples/requirements", "", "", "file", "v2/gh/binder-examples/requirements/HEAD" },
        { "gh", "binder-examples/requirements", "master", "", "file", "v2/gh/binder-examples/requirements/master" },
        { "gh", "https://github.com/binder-examples/requirements", "", "", "file", "v2/gh/binder-examples/requirements/HEAD" },
        { "gh", "binder-examples/requirements", "master", "some file with spaces.ipynb", "file",
            "v2/gh/binder-examples/requirements/master?urlpath=%2Fdoc%2Ftree%2Fsome+file+with+spaces.ipynb" },
        { "gh", "binder-examples/requirements", "master", "/some url with spaces?query=something", "url",
            "v2/gh/binder-examples/requirements/master?urlpath=%2Fsome+url+with+spaces%3Fquery%3Dsomething" },
        { "gh", "owner/repo", "feature/ünï code", "dossier/ünïcode ☃.ipynb", "file",
            "v2/gh/owner/repo/feature/%C3%BCn%C3%AF%20code?urlpath=%2Fdoc%2Ftree%2Fdossier%2F%C3%BCn%C3%AFcode+%E2%98%83.ipynb" },
        { "git", "https://example.org/group/my repo.git", "", "", "file", "v2/git/https%3A%2F%2Fexample.org%2Fgroup%2Fmy%20repo.git/HEAD" },
        { "git", "file:///tmp/repos/ünicode", "v1.0", "lab", "url", "v2/git/file%3A%2F%2F%2Ftmp%2Frepos%2F%C3%BCnicode/v1.0?urlpath=lab" },
        { "zenodo", "10.5281/zenodo.3242074", "", "", "file", "v2/zenodo/10.5281/zenodo.3242074/" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task HomePage_FormValues_ProduceBinderHubLaunchUrlAndBadges(string provider, string repo, string reference, string path,
        string kind, string expected)
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(Base);
            await page.GetByLabel("Repository provider").SelectOptionAsync(provider);
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FillAsync(repo);
            if (reference.Length > 0) await page.GetByLabel("Git ref (branch, tag, or commit)").FillAsync(reference);
            if (kind == "url") await page.GetByRole(AriaRole.Button, new() { Name = "URL", Exact = true }).ClickAsync();
            if (path.Length > 0) await page.Locator("[name='path']").FillAsync(path);

            var url = Base + expected;
            Assert.Equal(url, await page.GetByTestId("launch-url").InnerTextAsync());

            await page.GetByText("Badges for your README").ClickAsync();
            Assert.Equal($"[![Binder]({Base}badge_logo.svg)]({url})", await page.GetByTestId("badge-markup").InnerTextAsync());
            await page.GetByLabel("reStructuredText").CheckAsync();
            Assert.Equal($".. image:: {Base}badge_logo.svg\n :target: {url}", await page.GetByTestId("badge-markup").InnerTextAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task HomePage_CopyButtons_PutUrlAndBadgeOnClipboard()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(Base);
            var copyUrl = page.GetByRole(AriaRole.Button, new() { Name = "Copy the launch URL" });
            Assert.True(await copyUrl.IsDisabledAsync());
            // Paste, as a person would, a browser URL of the repository.
            await page.EvaluateAsync("() => navigator.clipboard.writeText('https://github.com/owner/pasted-repo')");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FocusAsync();
            await page.Keyboard.PressAsync("Control+V");

            var url = $"{Base}v2/gh/owner/pasted-repo/HEAD";
            Assert.Equal(url, await page.GetByTestId("launch-url").InnerTextAsync());
            await copyUrl.ClickAsync();
            Assert.Equal(url, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

            await page.GetByText("Badges for your README").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Copy the badge markup" }).ClickAsync();
            Assert.Equal($"[![Binder]({Base}badge_logo.svg)]({url})", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task HomePage_UrlThatIsNotGitHub_GivesNoLaunchUrl()
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(Base);
            var repo = page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" });
            await repo.FillAsync("owner/repo");
            Assert.Equal($"{Base}v2/gh/owner/repo/HEAD", await page.GetByTestId("launch-url").InnerTextAsync());
            // BinderHub's detect regex accepts anything after an optional github.com prefix, so clear to empty.
            await repo.FillAsync("");
            Assert.Equal("Fill in the fields to see a URL for sharing your Binder.", await page.GetByTestId("launch-url").InnerTextAsync());
            Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Copy the launch URL" }).IsDisabledAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
