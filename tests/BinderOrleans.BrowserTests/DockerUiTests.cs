using System.Text.Json;
using System.Text.RegularExpressions;
using BinderOrleans.Testing;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>What a person sees with the real backend: git over file://, Docker builds, a real notebook server.</summary>
[Collection(DockerUiCollection.Name)]
public sealed class DockerUiTests(DockerUiFixture fixture)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);

    private const string Notebook = """
        {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Hello from a test repository"]}],
         "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        """;

    private string Base => fixture.Server.BaseUri.ToString();

    [Fact]
    public async Task HomePage_PasteRepositoryUrlAndLaunch_LandsOnNotebookTreeWithToken()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["README.md"] = "# A repository launched from the home page\n",
            ["index.ipynb"] = Notebook,
        });
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var recorder = await PageRecorder.AttachAsync(page);
            await page.GotoAsync(Base);
            await page.GetByLabel("Repository provider").SelectOptionAsync(new SelectOptionValue { Label = "Git repository" });
            await page.EvaluateAsync("(url) => navigator.clipboard.writeText(url)", repo.Url);
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Enter repository URL" }).FocusAsync();
            await page.Keyboard.PressAsync("Control+V");
            Assert.Equal($"{Base}v2/git/{Uri.EscapeDataString(repo.Url)}/HEAD", await page.GetByTestId("launch-url").InnerTextAsync());

            await page.GetByRole(AriaRole.Button, new() { Name = "Launch", Exact = true }).ClickAsync();
            await page.WaitForFunctionAsync("() => ['building', 'pushing', 'launching', 'success'].includes(document.getElementById('build').dataset.state)",
                null, new() { Timeout = (float)BuildTimeout.TotalMilliseconds });
            await page.GetByRole(AriaRole.Button, new() { Name = "Show logs" }).ClickAsync();
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("home-page-launching.png"), FullPage = true });

            // The notebook server answers the token and shows its file tree.
            await page.WaitForURLAsync(new Regex(@"^http://(127\.0\.0\.1|localhost|\[::1\]):\d+/.*tree.*[?&]token=[^&]+"),
                new() { Timeout = (float)BuildTimeout.TotalMilliseconds, WaitUntil = WaitUntilState.Commit });
            await page.GetByText("index.ipynb").First.WaitForAsync(new() { Timeout = 60_000 });
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("notebook-tree.png") });

            Assert.Equal(["waiting", "building", "pushing", "launching", "success"],
                recorder.States.Where(s => s is not "idle").Distinct().ToList());
            var log = string.Concat(recorder.Events.Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : ""));
            Assert.Contains(repo.Head[..7], log, StringComparison.Ordinal);
            Assert.Equal(["favicon_building.svg", "favicon_success.svg"], recorder.Favicons.Where(f => f != "favicon.svg").Distinct());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task LoadingPage_FailingRepository_ShowsFailureLogAndFailIcon()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = "FROM binderorleans-base:bookworm\nRUN echo 'this build fails on purpose' && exit 3\n",
        });
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var recorder = await PageRecorder.AttachAsync(page);
            await page.GotoAsync($"{Base}v2/git/{Uri.EscapeDataString(repo.Url)}/HEAD");
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null,
                new() { Timeout = (float)BuildTimeout.TotalMilliseconds });

            Assert.True(await page.Locator("#log-container").IsVisibleAsync(), "the log opens by itself on failure");
            var log = string.Concat(recorder.Events.Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : ""));
            Assert.Contains("this build fails on purpose", log, StringComparison.Ordinal);
            Assert.EndsWith("favicon_fail.svg", await page.Locator("#favicon").GetAttributeAsync("href"));
            Assert.Contains("failed", recorder.States);
            Assert.Equal("failed", recorder.States[^1]);
            Assert.Contains("favicon_fail.svg", recorder.Favicons);
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("loading-page-failed-docker.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task LoadingPage_HubConnectionDroppedMidBuild_ResumesTheSession_EveryLineOnce_OneServer()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["README.md"] = "# resumed after a dropped connection\n",
            ["postBuild"] = "#!/bin/bash\nfor i in $(seq 1 8); do echo \"resume-line-$i\"; sleep 1; done\n",
        });
        await using var relay = new TcpRelay(fixture.Server.BaseUri.Port);
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var recorder = await PageRecorder.AttachAsync(page);
            await page.GotoAsync($"{relay.BaseUri}v2/git/{Uri.EscapeDataString(repo.Url)}/HEAD");

            // Cut every connection the page has (its hub WebSocket among them) while the build is printing.
            using (var deadline = new CancellationTokenSource(BuildTimeout))
            {
                while (!Log(recorder).Contains("resume-line-2", StringComparison.Ordinal))
                {
                    await Task.Delay(100, deadline.Token);
                }
            }
            var acceptedBeforeDrop = relay.Accepted;
            Assert.True(relay.DropAll() > 0, "the page had a connection open through the relay");

            await page.WaitForFunctionAsync("() => ['success', 'failed'].includes(document.getElementById('build').dataset.state)",
                null, new() { Timeout = (float)BuildTimeout.TotalMilliseconds });

            Assert.Equal("success", recorder.States[^1]);
            Assert.True(relay.Accepted > acceptedBeforeDrop, "the page connected again after the drop");
            var log = Log(recorder);
            for (var i = 1; i <= 8; i++)
            {
                Assert.Single(Regex.Matches(log, $"resume-line-{i}\\b"));
            }
            Assert.DoesNotContain("Lost the connection", log, StringComparison.Ordinal);
            var ready = recorder.Events.Last(e => e.GetProperty("phase").GetString() == "ready");
            var image = ready.GetProperty("image").GetString()!;
            Assert.Single(await fixture.Sandbox.ContainerIdsAsync($"binderorleans.image={image}"));
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static string Log(PageRecorder recorder) =>
        string.Concat(recorder.Events.Select(e => e.TryGetProperty("message", out var m) ? m.GetString() : ""));

    [Fact]
    public async Task SignalRPage_RealBuild_ReceivesSameEventsInSameOrderAsEventSource()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "# parity\n" });
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(Base);
            var result = await page.EvaluateAsync<JsonElement>(HubTests.BothTransportsScript,
                new[] { "git", $"{Uri.EscapeDataString(repo.Url)}/HEAD" }).WaitAsync(BuildTimeout);
            HubTests.AssertSameEvents(result);
            Assert.Contains("\"phase\":\"ready\"", result.GetProperty("hub").EnumerateArray().Last().GetString());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
