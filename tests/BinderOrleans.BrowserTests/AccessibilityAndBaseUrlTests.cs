using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

[Collection(UiCollection.Name)]
public sealed class AccessibilityAndBaseUrlTests(UiFixture fixture)
{
    /// <summary>Controls (outside xterm's own internals) that have no accessible name, described for the failure message.</summary>
    private const string UnnamedControlsScript = """
        () => {
          const name = (el) => {
            if (el.getAttribute("aria-label")) return el.getAttribute("aria-label");
            const by = el.getAttribute("aria-labelledby");
            if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" ").trim();
            if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(" ").trim();
            return (el.textContent || "").trim();
          };
          return [...document.querySelectorAll("input, select, textarea, button, output, [role=progressbar], [role=log]")]
            .filter((el) => !el.closest(".xterm"))
            .filter((el) => !name(el))
            .map((el) => el.outerHTML.slice(0, 120));
        }
        """;

    [Theory]
    [InlineData("")]
    [InlineData("v2/gh/owner/a11y-fail/HEAD")]
    [InlineData("about")]
    public async Task Page_EveryControl_HasAnAccessibleName(string path)
    {
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(fixture.Server.BaseUri + path);
            if (path.StartsWith("v2/", StringComparison.Ordinal))
            {
                await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null, new() { Timeout = 30_000 });
            }
            var unnamed = await page.EvaluateAsync<string[]>(UnnamedControlsScript);
            Assert.Empty(unnamed);
            Assert.Equal(1, await page.Locator("h1").CountAsync());
            Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task BaseUrl_PagesLinksAndLaunchLiveUnderIt()
    {
        await using var server = await fixture.StartServerAsync(new Dictionary<string, string?> { ["Binder:BaseUrl"] = "/binder/" });
        var root = server.BaseUri.ToString();
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync($"{root}binder/");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FillAsync("owner/based");
            Assert.Equal($"{root}binder/v2/gh/owner/based/HEAD", await page.GetByTestId("launch-url").InnerTextAsync());
            await page.GetByText("Badges for your README").ClickAsync();
            Assert.Equal($"[![Binder]({root}binder/badge_logo.svg)]({root}binder/v2/gh/owner/based/HEAD)", await page.GetByTestId("badge-markup").InnerTextAsync());
            Assert.True(await page.EvaluateAsync<bool>("() => typeof Terminal === 'function' && typeof signalR === 'object'"), "assets load under the base URL");

            await page.GotoAsync($"{root}binder/v2/gh/owner/based/HEAD?urlpath=lab");
            await page.WaitForURLAsync(new Regex($"^{Regex.Escape(fixture.Notebook.BaseUri.ToString())}user/session-\\d+/lab\\?token="), new() { Timeout = 30_000 });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
