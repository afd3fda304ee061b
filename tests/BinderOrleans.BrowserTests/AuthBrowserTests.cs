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

    public async Task InitializeAsync()
    {
        var port = FreePorts.Next();
        _hub = await AuthHub.StartAsync(redirectUri: $"http://127.0.0.1:{port}/oauth_callback", serviceUrl: null);
        var settings = _sandbox.Settings();
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Binder:AuthEnabled"] = "true";
        settings["Launch:Backend"] = "jupyterhub";
        settings["JupyterHub:Url"] = _hub.Hub.PublicUrl.AbsoluteUri;
        settings["JupyterHub:ApiToken"] = _hub.Hub.ApiToken;
        settings["JupyterHub:Auth:ClientId"] = AuthHub.ClientId;
        settings["JupyterHub:Auth:CallbackUrl"] = $"http://127.0.0.1:{port}/oauth_callback";
        settings["Providers:Image:AllowedPrefixes:0"] = "binderorleans-base:";
        _binder = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_binder is not null) await _binder.DisposeAsync();
        if (_hub is not null) await _hub.DisposeAsync();
        await _sandbox.DisposeAsync();
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
}
