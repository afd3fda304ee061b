using System.Text.RegularExpressions;
using BinderOrleans.IntegrationTests.JupyterHub;
using BinderOrleans.Testing;
using Microsoft.Playwright;

namespace BinderOrleans.BrowserTests;

/// <summary>
/// A person in Chromium with <c>Binder:AuthEnabled</c> and a real JupyterHub 3.0 (DummyAuthenticator) and its proxy: the
/// binder page sends them to the hub's login, they log in, come back to the page, which launches and lands in their
/// own server; a second launch while that server runs shows BinderHub's 409 message.
/// </summary>
public sealed class AuthBrowserTests : IAsyncLifetime
{
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromMinutes(3);

    private readonly DockerSandbox _sandbox = new();
    private AuthHub? _hub;
    private RunningServer? _binder;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private readonly List<string> _images = [];
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePorts.Next();
        _hub = await AuthHub.StartAsync(redirectUri: $"http://127.0.0.1:{_port}/oauth_callback", serviceUrl: null);
        _binder = await StartBinderAsync(_port, []);
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_binder is not null) await _binder.DisposeAsync();
        if (_hub is not null) await _hub.DisposeAsync();
        foreach (var image in _images) await Cli.DockerAsync(["rmi", "--", image]);
        await _sandbox.DisposeAsync();
    }

    private async Task<RunningServer> StartBinderAsync(int port, Dictionary<string, string?> extra)
    {
        var settings = _hub!.BinderSettings(_sandbox, port);
        settings["JupyterHub:Auth:ClientId"] = AuthHub.ClientId;
        settings["JupyterHub:Auth:CallbackUrl"] = $"http://127.0.0.1:{port}/oauth_callback";
        settings["Providers:Image:AllowedPrefixes:0"] = "binderorleans-";
        foreach (var (k, v) in extra) settings[k] = v;
        return await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Person_LogsInAtTheHub_LandsInOwnServer_SecondLaunchShowsBinderHubs409()
    {
        var hub = _hub!.Hub;
        var user = $"person-{hub.RunId}";
        var binderPage = new Uri(_binder!.BaseUri, "v2/image/" + Uri.EscapeDataString(HubProcess.Image)).AbsoluteUri;
        var page = await Chromium.NewPageAsync(_browser!);
        try
        {
            await page.GotoAsync(binderPage);
            await page.WaitForURLAsync(new Regex("^" + Regex.Escape(hub.PublicUrl.AbsoluteUri) + "hub/login"));
            await page.FillAsync("#username_input", user);
            await page.FillAsync("#password_input", AuthHub.Password);
            await page.ClickAsync("#login_submit");

            // Back on the binder page, which launches by itself and then opens the user's own server.
            var serverUrl = new Uri(hub.PublicUrl, $"user/{user}/").AbsoluteUri;
            await page.WaitForURLAsync(new Regex("^" + Regex.Escape(serverUrl)), new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
            Assert.Equal([""], await _hub.ServersOfAsync(user));
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("auth-own-server.png") });

            // The same person again, with that server still running.
            await page.GotoAsync(binderPage);
            Assert.Equal($"Logged in as {user}", await page.Locator(".account").InnerTextAsync());
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null,
                new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            Assert.Contains($"User {user} already has a running server.", await page.Locator("#build-status").InnerTextAsync());
            Assert.Equal(binderPage, page.Url);
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("auth-second-launch-409.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task Person_WithNamedServers_TwoRepositoriesTwoServers_TheLimitShowsBinderHubs409()
    {
        // The same address (the hub has its callback on record), now with BinderHub's named servers, two at most.
        await _binder!.DisposeAsync();
        _binder = null;
        _binder = await StartBinderAsync(_port, new()
        {
            ["JupyterHub:AllowNamedServers"] = "true",
            ["JupyterHub:NamedServerLimitPerUser"] = "2",
        });
        var hub = _hub!.Hub;
        var user = $"named-{hub.RunId}";
        var (alpha, beta) = (await TagAsync("alpha"), await TagAsync("beta"));
        string PageOf(string image) => new Uri(_binder.BaseUri, "v2/image/" + Uri.EscapeDataString(image)).AbsoluteUri;
        var page = await Chromium.NewPageAsync(_browser!);
        try
        {
            await page.GotoAsync(PageOf(alpha));
            await page.WaitForURLAsync(new Regex("^" + Regex.Escape(hub.PublicUrl.AbsoluteUri) + "hub/login"));
            await page.FillAsync("#username_input", user);
            await page.FillAsync("#password_input", AuthHub.Password);
            await page.ClickAsync("#login_submit");

            // Each repository opens a named server of its own, called after it as BinderHub does.
            var userUrl = Regex.Escape(new Uri(hub.PublicUrl, $"user/{user}/").AbsoluteUri);
            await page.WaitForURLAsync(new Regex($"^{userUrl}alpha-[a-z0-9]{{8}}/"), new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            await page.GotoAsync(PageOf(beta));
            await page.WaitForURLAsync(new Regex($"^{userUrl}beta-[a-z0-9]{{8}}/"), new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            Assert.Equal(2, (await _hub.ServersOfAsync(user)).Count);

            // A third launch is over the limit: the page says so, in BinderHub's words, and stays.
            await page.GotoAsync(PageOf(alpha));
            await page.WaitForFunctionAsync("() => document.getElementById('build').dataset.state === 'failed'", null,
                new() { Timeout = (float)LaunchTimeout.TotalMilliseconds });
            Assert.Contains($"User {user} already has the maximum of 2 named servers.", await page.Locator("#build-status").InnerTextAsync());
            Assert.Equal(PageOf(alpha), page.Url);
            Assert.Equal(2, (await _hub.ServersOfAsync(user)).Count);
            await page.ScreenshotAsync(new() { Path = Chromium.ScreenshotPath("auth-named-servers-limit-409.png"), FullPage = true });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>The base image under a name of this run (a "repository" that needs no build).</summary>
    private async Task<string> TagAsync(string tag)
    {
        var image = $"binderorleans-authui-{_hub!.Hub.RunId}:{tag}";
        var (code, output) = await Cli.DockerAsync(["tag", HubProcess.Image, image]);
        Assert.True(code == 0, output);
        _images.Add(image);
        return image;
    }
}
