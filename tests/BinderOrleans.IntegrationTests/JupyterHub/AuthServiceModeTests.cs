using System.Net;
using System.Net.Http.Headers;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// The binderhub-service + jupyterhub-fancy-profiles set-up: BinderOrleans as the hub's <c>binder</c> service at
/// <c>/services/binder/</c> behind the hub's configurable-http-proxy, API only, logging in through the hub. A user's
/// token (minted as fancy-profiles mints it) builds with <c>build_only=true</c> and reads <c>imageName</c> from
/// <c>ready</c>; no token, or a token without the access scope, gets 403.
/// </summary>
public sealed class AuthServiceModeTests(AuthServiceModeTests.Fixture fixture) : IClassFixture<AuthServiceModeTests.Fixture>
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The prebuilt image the <c>image</c> provider names, so no build is needed here.</summary>
    private static readonly string Spec = "image/" + Uri.EscapeDataString(HubProcess.Image);

    private AuthHub Hub => fixture.Hub;

    /// <summary>The service as users reach it: through the hub's proxy.</summary>
    private Uri ServiceUrl => new(Hub.Hub.PublicUrl, "services/binder/");

    /// <summary>One hub and one service for the class (the tests only read).</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly DockerSandbox _sandbox = new();
        private AuthHub? _hub;
        private RunningServer? _server;

        public AuthHub Hub => _hub ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            var port = FreePorts.Next();
            _hub = await AuthHub.StartAsync(redirectUri: null, serviceUrl: $"http://127.0.0.1:{port}");
            var settings = Hub.BinderSettings(_sandbox, port);
            settings["Binder:EnableApiOnlyMode"] = "true";
            settings["Binder:BaseUrl"] = "/services/binder/";
            settings["JupyterHub:Auth:CallbackUrl"] = "/services/binder/oauth_callback";
            settings["Providers:Image:AllowedPrefixes:0"] = "binderorleans-base:";
            _server = await RunningServer.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
        }

        public async Task DisposeAsync()
        {
            if (_server is not null) await _server.DisposeAsync();
            if (_hub is not null) await _hub.DisposeAsync();
            await _sandbox.DisposeAsync();
        }
    }

    [Fact]
    public async Task FancyProfilesFlow_UserTokenThroughTheHubsProxy_BuildOnlyReadyCarriesImageName()
    {
        var user = await Hub.CreateUserAsync("fancy");
        var token = await Hub.MintTokenAsync(user);

        var messages = await BuildAsync($"build/{Spec}?build_only=true", "Bearer", token);

        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(messages));
        Assert.False(string.IsNullOrEmpty(ready.ImageName), Describe(messages));
        Assert.Contains("binderorleans-base", ready.ImageName);
        Assert.Null(ready.Url);
        Assert.Empty(await Hub.ServersOfAsync(user));
    }

    [Fact]
    public async Task HubTokenInTokenHeader_Accepted()
    {
        var user = await Hub.CreateUserAsync("token");
        var token = await Hub.MintTokenAsync(user);

        var messages = await BuildAsync($"build/{Spec}?build_only=true", "token", token);

        Assert.True(messages[^1].Event.Phase == BinderPhase.Ready, Describe(messages));
    }

    [Fact]
    public async Task NoToken_403FailedEvent()
    {
        var messages = await BuildAsync($"build/{Spec}?build_only=true", null, null);

        var failed = Assert.Single(messages).Event;
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(403, failed.StatusCode);
    }

    [Fact]
    public async Task TokenWithoutTheAccessScope_403FailedEvent()
    {
        var user = await Hub.CreateUserAsync("noscope");
        var token = await Hub.MintTokenAsync(user, [$"read:users:name!user={user}"]);

        var messages = await BuildAsync($"build/{Spec}?build_only=true", "Bearer", token);

        var failed = Assert.Single(messages).Event;
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(403, failed.StatusCode);
        Assert.Contains("access:services!service=binder", failed.Message);
    }

    [Fact]
    public async Task MadeUpToken_403_AndOpenEndpointsStayOpen()
    {
        var messages = await BuildAsync($"build/{Spec}?build_only=true", "Bearer", "not-a-hub-token");
        Assert.Equal(403, Assert.Single(messages).Event.StatusCode);

        using var client = new HttpClient { BaseAddress = ServiceUrl, Timeout = TimeSpan.FromSeconds(30) };
        // As BinderHub: /versions, /health and /metrics are not behind the login (probes and the federation read them).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("versions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task AuthResume_OtherUsersSessionId_403WithoutItsEvents_OwnerResumes()
    {
        var (alice, bob) = (await Hub.CreateUserAsync("owner"), await Hub.CreateUserAsync("other"));
        var (aliceToken, bobToken) = (await Hub.MintTokenAsync(alice), await Hub.MintTokenAsync(bob));
        // A launch (her own server), so the session has events after the first.
        var path = $"build/{Spec}";
        var started = await BuildAsync(path, "Bearer", aliceToken);
        Assert.True(started.Count >= 2 && started[^1].Event.Phase == BinderPhase.Ready, Describe(started));
        var firstId = started[0].Id!;

        // Bob reconnects with Alice's id, as if it were his: told it is not his, and nothing of hers.
        var refused = await BuildAsync(path, "Bearer", bobToken, lastEventId: firstId);

        var failed = Assert.Single(refused);
        Assert.Equal(BinderPhase.Failed, failed.Event.Phase);
        Assert.Equal(403, failed.Event.StatusCode);
        Assert.Contains("started by another user", failed.Event.Message);
        Assert.Null(failed.Event.ImageName);
        Assert.DoesNotContain(firstId.Split(':')[0], failed.Id ?? "");

        // Alice herself resumes it: the events after the one she names, as she first got them, and no second server.
        var resumed = await BuildAsync(path, "Bearer", aliceToken, lastEventId: firstId);

        Assert.Equal(started.Skip(1).Select(m => (m.Id, m.Data)), resumed.Select(m => (m.Id, m.Data)));
        Assert.Equal([""], await Hub.ServersOfAsync(alice));
        Assert.Empty(await Hub.ServersOfAsync(bob));
    }

    private async Task<List<SseMessage>> BuildAsync(string pathAndQuery, string? scheme, string? token, string? lastEventId = null)
    {
        using var client = new HttpClient { BaseAddress = ServiceUrl, Timeout = StreamTimeout };
        if (scheme is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, token);
        return await SseClient.ReadBuildAsync(client, pathAndQuery, StreamTimeout, lastEventId);
    }

    private static string Describe(IEnumerable<SseMessage> messages) => string.Join(" | ", messages.Select(m => m.Data));
}
