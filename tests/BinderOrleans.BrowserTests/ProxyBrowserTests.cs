using System.Net;
using System.Net.Http.Json;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// Chromium using a launched notebook server through the service's own port (<c>Docker:Proxy</c>, the default): the
/// page, the kernel's WebSocket and a large upload all go through the in-process proxy to a real notebook server.
/// </summary>
[Collection(DockerUiCollection.Name)]
public sealed class ProxyBrowserTests(DockerUiFixture fixture) : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);

    private const string CodeNotebook = """
        {"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": ["print(6 * 7)"]}],
         "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}
        """;

    /// <summary>A repository whose build is one cached step: the base image as its own user.</summary>
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string>
    {
        ["Dockerfile"] = "FROM binderorleans-base:bookworm\nUSER jovyan\nENV HOME=/home/jovyan\nWORKDIR /home/jovyan\n",
    });

    public void Dispose() => _repo.Dispose();

    private async Task<BinderEvent> LaunchAsync()
    {
        var messages = await SseClient.ReadBuildAsync(fixture.Server.Client, $"build/git/{Uri.EscapeDataString(_repo.Url)}/{_repo.Head}", BuildTimeout);
        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, string.Concat(messages.Select(m => m.Event.Message)));
        return ready;
    }

    [Fact]
    public async Task Notebook_ThroughTheServicePort_PageLoads_KernelRunsCode_50MegabyteUploadWorks()
    {
        var ready = await LaunchAsync();
        Assert.StartsWith($"{fixture.Server.BaseUri}user/binder-", ready.Url);
        using (var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(60) })
        using (var created = await http.PutAsJsonAsync($"{ready.Url}api/contents/proxy.ipynb?token={ready.Token}",
                   new { type = "notebook", format = "json", content = System.Text.Json.JsonDocument.Parse(CodeNotebook).RootElement }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            var response = await page.GotoAsync($"{ready.Url}notebooks/proxy.ipynb?token={ready.Token}");
            Assert.Equal(200, response!.Status);
            // The kernel starts and its WebSocket connects through the proxy; running the cell prints over it.
            await page.WaitForFunctionAsync("() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
                null, new() { Timeout = 60_000 });
            await page.EvaluateAsync("() => Jupyter.notebook.execute_all_cells()");
            await page.Locator(".output_subarea").GetByText("42").WaitForAsync(new() { Timeout = 60_000 });
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("notebook-through-proxy.png") });

            // 50 MB in one request from the page, then read back whole.
            var sizes = await page.EvaluateAsync<int[]>("""
                async ([base, token]) => {
                    const size = 50 * 1024 * 1024;
                    const put = await fetch(`${base}api/contents/big.txt?token=${token}`, {
                        method: 'PUT', headers: {'Content-Type': 'application/json'},
                        body: JSON.stringify({type: 'file', format: 'text', content: 'x'.repeat(size)}),
                    });
                    const back = await fetch(`${base}api/contents/big.txt?token=${token}&type=file&format=text`);
                    const model = await back.json();
                    return [put.status, back.status, model.content.length];
                }
                """, new[] { ready.Url, ready.Token });
            Assert.Equal([201, 200, 50 * 1024 * 1024], sizes);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task SecondUser_LoggedInToTheirOwnServer_CannotOpenTheFirstUsersServer()
    {
        var first = await LaunchAsync();
        var second = await LaunchAsync();
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            // The second user is logged in to their server (cookie) and tries the first user's path with their token.
            Assert.Equal(200, (await page.GotoAsync($"{second.Url}tree?token={second.Token}"))!.Status);
            var withOwnToken = await page.GotoAsync($"{first.Url}tree?token={second.Token}");
            var plain = await page.GotoAsync($"{first.Url}tree");

            // Refused, or sent to the login form: never the first user's files.
            Assert.True(withOwnToken!.Status is 403 || page.Url.Contains("/login", StringComparison.Ordinal), $"got {withOwnToken.Status} at {page.Url}");
            Assert.Contains("/login", plain!.Url, StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("#notebook_list").CountAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task StoppedServer_OpenPageReloaded_Answers404AtOnce_NotAHangingConnection()
    {
        var ready = await LaunchAsync();
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            Assert.Equal(200, (await page.GotoAsync($"{ready.Url}tree?token={ready.Token}"))!.Status);

            // Stopped as its session stops it (its client gone past the grace), by the container id.
            var container = Assert.Single(await fixture.Sandbox.ContainerIdsAsync($"binderorleans.path={new Uri(ready.Url!).AbsolutePath}"));
            var launcher = fixture.Server.Services.GetRequiredService<ILauncher>();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await launcher.StopAsync(container, timeout.Token);
            }

            // Well inside the proxy's 5 s connect timeout: a route left to the removed container would wait that out.
            var reloaded = await page.ReloadAsync(new() { Timeout = 3_000 });
            Assert.Equal(404, reloaded!.Status);
            Assert.Contains("No server is running at this address", await page.ContentAsync(), StringComparison.Ordinal);
            // The page's own API calls (the logged-in cookie) get the same answer.
            var status = await page.EvaluateAsync<int>("async url => (await fetch(url)).status", $"{ready.Url}api/status");
            Assert.Equal(404, status);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
