using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// <c>Binder:AuthEnabled</c> on its own origin, as BinderHub's <c>test_auth</c> runs it: a real JupyterHub 3.0 with the
/// DummyAuthenticator is the login; pages send an anonymous visitor to the hub's login and, after it, back to the page;
/// <c>/metrics</c> stays open. Launches are the logged-in user's own servers: the default one (a second gets BinderHub's
/// 409), or named servers called after the repository up to the per-user limit (then 409).
/// </summary>
public sealed class AuthLoginTests : IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(3);

    private readonly DockerSandbox _sandbox = new();
    private readonly List<string> _images = [];
    private readonly List<IAsyncDisposable> _servers = [];
    private AuthHub? _hub;
    private RunningServer? _binder;

    private AuthHub Hub => _hub ?? throw new InvalidOperationException("not started");

    private RunningServer Binder => _binder ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var port = FreePorts.Next();
        _hub = await AuthHub.StartAsync(redirectUri: $"http://127.0.0.1:{port}/oauth_callback", serviceUrl: null);
        _binder = await StartBinderAsync(port, []);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        if (_hub is not null) await _hub.DisposeAsync();
        foreach (var image in _images) await Cli.DockerAsync(["rmi", "--", image]);
        await _sandbox.DisposeAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("v2/image/binderorleans-base%3Abookworm")]
    public async Task TestAuth_Page_SendsToHubLogin_LogsIn_LandsBackOnThePage(string path)
    {
        using var browser = NewBrowser();
        var url = new Uri(Binder.BaseUri, path);

        using var first = await browser.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var loginUrl = first.RequestMessage!.RequestUri!;
        Assert.Contains("/hub/login", loginUrl.AbsolutePath);

        var user = $"person-{Hub.Hub.RunId}";
        using var landed = await LogInAsync(browser, loginUrl, user);

        Assert.Equal(HttpStatusCode.OK, landed.StatusCode);
        Assert.Equal(url, landed.RequestMessage!.RequestUri);
        var html = await landed.Content.ReadAsStringAsync();
        Assert.Contains($"Logged in as <strong>{user}</strong>", html);
        Assert.Contains("href=\"/logout\"", html);
    }

    [Fact]
    public async Task TestAuth_Metrics_NotBehindTheLogin()
    {
        using var browser = NewBrowser();
        var url = new Uri(Binder.BaseUri, "metrics");

        using var response = await browser.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(url, response.RequestMessage!.RequestUri);
    }

    [Fact]
    public async Task LoggedIn_LaunchesOwnDefaultServer_SecondLaunchGetsBinderHubs409()
    {
        using var browser = NewBrowser();
        var user = $"launcher-{Hub.Hub.RunId}";
        using var first = await browser.GetAsync(Binder.BaseUri);
        (await LogInAsync(browser, first.RequestMessage!.RequestUri!, user)).Dispose();
        var spec = "image/" + Uri.EscapeDataString(HubProcess.Image);

        var launch = await SseClient.ReadBuildAsync(browser, new Uri(Binder.BaseUri, $"build/{spec}").AbsoluteUri, StreamTimeout);

        var ready = launch[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(launch));
        Assert.Equal(new Uri(Hub.Hub.PublicUrl, $"user/{user}/").AbsoluteUri, ready.Url);
        Assert.Equal(200, (await ServerProbe.StatusAsync(ready.Url!, ready.Token)).Status);
        Assert.Equal([""], await Hub.ServersOfAsync(user));
        Assert.Contains(user, await Hub.Hub.UserNamesAsync());

        var second = await SseClient.ReadBuildAsync(browser, new Uri(Binder.BaseUri, $"build/{spec}").AbsoluteUri, StreamTimeout);

        var refused = second[^1].Event;
        Assert.Equal(BinderPhase.Failed, refused.Phase);
        Assert.Equal(409, refused.StatusCode);
        Assert.Equal($"User {user} already has a running server.\n", refused.Message);
        Assert.Equal([""], await Hub.ServersOfAsync(user));
    }

    [Fact]
    public async Task NamedServers_TwoRepositoriesTwoServers_LimitGivesBinderHubs409()
    {
        var named = await StartBinderAsync(FreePorts.Next(), new()
        {
            ["JupyterHub:AllowNamedServers"] = "true",
            ["JupyterHub:NamedServerLimitPerUser"] = "2",
        });
        var user = await Hub.CreateUserAsync("named");
        var token = await Hub.MintTokenAsync(user);
        using var client = new HttpClient { BaseAddress = named.BaseUri, Timeout = StreamTimeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var (imageA, imageB) = (await TagAsync("alpha"), await TagAsync("beta"));

        var a = await SseClient.ReadBuildAsync(client, "build/image/" + Uri.EscapeDataString(imageA), StreamTimeout);
        var b = await SseClient.ReadBuildAsync(client, "build/image/" + Uri.EscapeDataString(imageB), StreamTimeout);

        var readyA = a[^1].Event;
        var readyB = b[^1].Event;
        Assert.True(readyA.Phase == BinderPhase.Ready, Describe(a));
        Assert.True(readyB.Phase == BinderPhase.Ready, Describe(b));
        var servers = await Hub.ServersOfAsync(user);
        Assert.Equal(2, servers.Count);
        // BinderHub's unique_name_from_repo: the URL's path (urlparse reads "name:alpha" as scheme "name", path "alpha"),
        // '-', eight [a-z0-9]; the URL ends in <server>/.
        var serverA = Assert.Single(servers, s => Regex.IsMatch(s, "^alpha-[a-z0-9]{8}$"));
        var serverB = Assert.Single(servers, s => Regex.IsMatch(s, "^beta-[a-z0-9]{8}$"));
        Assert.Equal(new Uri(Hub.Hub.PublicUrl, $"user/{user}/{serverA}/").AbsoluteUri, readyA.Url);
        Assert.Equal(new Uri(Hub.Hub.PublicUrl, $"user/{user}/{serverB}/").AbsoluteUri, readyB.Url);
        Assert.Equal(200, (await ServerProbe.StatusAsync(readyA.Url!, readyA.Token)).Status);
        Assert.Equal(200, (await ServerProbe.StatusAsync(readyB.Url!, readyB.Token)).Status);

        var third = await SseClient.ReadBuildAsync(client, "build/image/" + Uri.EscapeDataString(imageA), StreamTimeout);

        var refused = third[^1].Event;
        Assert.Equal(BinderPhase.Failed, refused.Phase);
        Assert.Equal(409, refused.StatusCode);
        Assert.Equal($"User {user} already has the maximum of 2 named servers.  One must be deleted before a new server can be created\n", refused.Message);
        Assert.Equal(2, (await Hub.ServersOfAsync(user)).Count);
    }

    [Fact]
    public async Task SignalR_NoLogin403_UserToken_LaunchesTheirOwnServer()
    {
        using var cts = new CancellationTokenSource(StreamTimeout);
        var hubUrl = new Uri(Binder.BaseUri, "hubs/build");
        await using var anonymous = new HubConnectionBuilder().WithUrl(hubUrl).Build();

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync(cts.Token));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var user = await Hub.CreateUserAsync("signalr");
        var token = await Hub.MintTokenAsync(user);
        await using var connection = new HubConnectionBuilder().WithUrl(hubUrl, o => o.AccessTokenProvider = () => Task.FromResult<string?>(token)).Build();
        await connection.StartAsync(cts.Token);
        var events = new List<BinderEvent>();
        await foreach (var e in connection.StreamAsync<JsonElement>("Build", "image", Uri.EscapeDataString(HubProcess.Image), cts.Token))
        {
            events.Add(BinderEventJson.Deserialize(e.GetRawText())!);
        }

        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Equal(new Uri(Hub.Hub.PublicUrl, $"user/{user}/").AbsoluteUri, events[^1].Url);
        Assert.Equal([""], await Hub.ServersOfAsync(user));
    }

    private async Task<RunningServer> StartBinderAsync(int port, Dictionary<string, string?> extra)
    {
        var settings = Hub.BinderSettings(_sandbox, port);
        settings["JupyterHub:Retries"] = "2";
        settings["JupyterHub:RetryDelay"] = "00:00:00.2";
        // JupyterHub:Auth:ClientId (service-binder) and CallbackUrl (<this address>/oauth_callback) are left at their defaults.
        settings["Providers:Image:AllowedPrefixes:0"] = "binderorleans-";
        foreach (var (k, v) in extra) settings[k] = v;
        var server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
        _servers.Add(server);
        return server;
    }

    /// <summary>The base image under a name of this run (a second "repository" that needs no build).</summary>
    private async Task<string> TagAsync(string tag)
    {
        var image = $"binderorleans-auth-{Hub.Hub.RunId}:{tag}";
        var (code, output) = await Cli.DockerAsync(["tag", HubProcess.Image, image]);
        Assert.True(code == 0, output);
        _images.Add(image);
        return image;
    }

    private static HttpClient NewBrowser() => AuthHub.NewBrowser(StreamTimeout);

    private static Task<HttpResponseMessage> LogInAsync(HttpClient browser, Uri loginUrl, string user) => AuthHub.LogInAsync(browser, loginUrl, user);

    private static string Describe(IEnumerable<SseMessage> messages) => string.Join(" | ", messages.Select(m => m.Data));
}
