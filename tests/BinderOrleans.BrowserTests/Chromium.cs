using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>Debian's Chromium driven by Playwright's .NET driver (no browser download), and where screenshots go.</summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Longest any single browser action may take before the test fails.</summary>
    public static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(20);

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run `bash scripts/setup.sh --with browser`.");
        }
        var playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        }).WaitAsync(TimeSpan.FromSeconds(90));
        return (playwright, browser);
    }

    public static async Task<IPage> NewPageAsync(IBrowser browser, int width = 1200, int height = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        context.SetDefaultTimeout((float)ActionTimeout.TotalMilliseconds);
        context.SetDefaultNavigationTimeout((float)ActionTimeout.TotalMilliseconds);
        return await context.NewPageAsync();
    }

    /// <summary><c>artifacts/screenshots</c> at the repository root.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "BinderOrleans.sln"))) dir = dir.Parent;
        var root = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(root);
        return Path.Combine(root, name);
    }
}
