using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// BinderHub's cross-origin flow in Chromium, as thebe and Jupyter Book run it: a page on another loopback origin opens an
/// EventSource to <c>/build</c>, then calls the launched server's API with the token in an Authorization header. With
/// <c>Binder:CorsAllowOrigin</c> set to the page's origin both steps work; without it the browser refuses both.
/// Real Docker builds and real notebook servers.
/// </summary>
[Collection(DockerUiCollection.Name)]
public sealed class CorsBrowserTests(DockerUiFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(6);

    /// <summary>The page on the second origin: runs the flow and reports what the browser let it see.</summary>
    private const string ClientPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Launch from another origin</title></head>
        <body><h1>Binder client on another origin</h1>
        <script>
        window.callServer = async (url, token) => {
          try {
            const response = await fetch(new URL("api/status", url), { headers: { Authorization: "token " + token } });
            return { status: response.status, body: await response.json() };
          } catch (error) {
            return { error: String(error) };
          }
        };
        window.runBinder = (buildUrl) => new Promise((resolve) => {
          const result = { phases: [] };
          const source = new EventSource(buildUrl);
          source.onmessage = async (message) => {
            const event = JSON.parse(message.data);
            result.phases.push(event.phase);
            if (event.phase === "failed") {
              source.close();
              result.failure = event.message;
              resolve(result);
            } else if (event.phase === "ready") {
              source.close();
              result.api = await window.callServer(event.url, event.token);
              resolve(result);
            }
          };
          source.onerror = () => {
            // A refused stream gives the page nothing, only this error (a dropped one would reconnect by itself).
            if (result.phases.length === 0) {
              source.close();
              result.refused = true;
              resolve(result);
            }
          };
        });
        </script></body></html>
        """;

    /// <summary>A repository whose build is quick: the base image as its non-root user (the notebook refuses root).</summary>
    private static readonly Dictionary<string, string> QuickRepo = new()
    {
        ["Dockerfile"] = "FROM binderorleans-base:bookworm\nUSER jovyan\nENV HOME=/home/jovyan\nWORKDIR /home/jovyan\n",
    };

    private WebApplication? _pageHost;

    private string PageOrigin { get; set; } = "";

    public async Task InitializeAsync()
    {
        _pageHost = LoopbackHost.CreateBuilder().Build();
        _pageHost.MapGet("/", () => Results.Content(ClientPage, "text/html; charset=utf-8"));
        PageOrigin = (await LoopbackHost.StartAsync(_pageHost)).GetLeftPart(UriPartial.Authority);
    }

    public async Task DisposeAsync()
    {
        if (_pageHost is not null) await _pageHost.DisposeAsync();
    }

    [Fact]
    public async Task WithCorsAllowOrigin_PageOnAnotherOriginStreamsTheBuildAndCallsTheServerApi()
    {
        using var repo = GitRepo.Create(QuickRepo);
        var settings = fixture.Sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Security:RateLimit"] = "1000";
        settings["Binder:CorsAllowOrigin"] = PageOrigin;
        await using var server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(PageOrigin + "/");
            var result = await page.EvaluateAsync<JsonElement>("url => window.runBinder(url)", BuildUrl(server, repo)).WaitAsync(BuildTimeout);

            Assert.False(result.TryGetProperty("refused", out _), result.ToString());
            var phases = result.GetProperty("phases").EnumerateArray().Select(p => p.GetString()).ToList();
            Assert.True(phases[^1] == "ready", result.ToString());
            Assert.Contains("building", phases);
            Assert.Contains("launching", phases);
            var api = result.GetProperty("api");
            Assert.True(api.TryGetProperty("status", out var status), $"the browser refused the server API call: {api}");
            Assert.Equal(200, status.GetInt32());
            Assert.True(api.GetProperty("body").TryGetProperty("started", out _), api.ToString());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task WithoutCorsAllowOrigin_TheBrowserRefusesTheStreamAndTheServerApi()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string>(QuickRepo) { ["README.md"] = "# refused from another origin\n" });
        var server = fixture.Server;
        var page = await Chromium.NewPageAsync(fixture.Browser);
        try
        {
            await page.GotoAsync(PageOrigin + "/");
            var stream = await page.EvaluateAsync<JsonElement>("url => window.runBinder(url)", BuildUrl(server, repo)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(stream.TryGetProperty("refused", out _), $"the browser let a page on {PageOrigin} read /build: {stream}");
            Assert.Empty(stream.GetProperty("phases").EnumerateArray());

            // The same launch outside the browser, for a server started without allow_origin.
            var messages = await SseClient.ReadBuildAsync(server.Client, $"build/git/{Uri.EscapeDataString(repo.Url)}/HEAD", BuildTimeout);
            var ready = messages[^1].Event;
            Assert.True(ready.Phase == "ready", string.Join(" | ", messages.Select(m => m.Data)));
            var api = await page.EvaluateAsync<JsonElement>("([url, token]) => window.callServer(url, token)", new[] { ready.Url, ready.Token })
                .WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(api.TryGetProperty("error", out _), $"the browser let a page on {PageOrigin} call the server API: {api}");

            // The server itself answers the token: the refusal is the browser's.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(ready.Url!), "api/status"));
            request.Headers.Authorization = new AuthenticationHeaderValue("token", ready.Token);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var direct = await server.Client.SendAsync(request, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    private static string BuildUrl(RunningServer server, GitRepo repo) =>
        $"{server.BaseUri}build/git/{Uri.EscapeDataString(repo.Url)}/HEAD";
}
