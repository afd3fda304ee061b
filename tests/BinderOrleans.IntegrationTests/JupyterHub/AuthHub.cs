using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// A test hub set up as BinderHub's auth mode documents it: DummyAuthenticator (password <see cref="Password"/>), the
/// <c>binder</c> service as an OAuth client (<c>oauth_no_confirm</c>, its redirect URI, optionally its <c>url</c> so the
/// hub's proxy serves it at <c>/services/binder/</c>), users holding <c>self</c> and <c>access:services!service=binder</c>,
/// and a <c>test-admin</c> service the tests use to make users and mint their tokens. Test fixture, not product code.
/// </summary>
public sealed partial class AuthHub : IAsyncDisposable
{
    public const string Password = "dummy";

    public const string ClientId = "service-binder";

    private readonly HttpClient _admin;

    private readonly string? _stateSecret;

    private AuthHub(HubProcess hub, string adminToken, string? stateSecret)
    {
        Hub = hub;
        _stateSecret = stateSecret;
        _admin = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", adminToken);
    }

    public HubProcess Hub { get; }

    /// <summary>
    /// The settings of a binder on <paramref name="port"/> that logs people in through this hub and launches on it (the
    /// sandbox's engine settings, logging at <paramref name="logLevel"/>); tests add their own keys.
    /// </summary>
    public Dictionary<string, string?> BinderSettings(DockerSandbox sandbox, int port, string logLevel = "Warning")
    {
        var settings = sandbox.Settings();
        settings["urls"] = $"http://127.0.0.1:{port}";
        settings["Logging:LogLevel:Default"] = logLevel;
        settings["Binder:AuthEnabled"] = "true";
        settings["Launch:Backend"] = "jupyterhub";
        settings["JupyterHub:Url"] = Hub.PublicUrl.AbsoluteUri;
        settings["JupyterHub:ApiToken"] = Hub.ApiToken;
        return settings;
    }

    /// <param name="redirectUri">The binder service's <c>oauth_redirect_uri</c>; null = the hub's default for a service with a URL.</param>
    /// <param name="serviceUrl">Where the hub's proxy sends <c>/services/binder/</c>; null = not proxied.</param>
    /// <param name="authState">
    /// Users who log in at the hub get an <c>auth_state</c> of <c>{"access_token": <see cref="RepoTokenOf"/>(name)}</c>, as
    /// an OAuthenticator keeps a GitHub token (<c>enable_auth_state</c>, a crypt key of this run).
    /// </param>
    public static async Task<AuthHub> StartAsync(string? redirectUri, string? serviceUrl, bool authState = false)
    {
        var adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var stateSecret = authState ? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant() : null;
        var hub = await HubProcess.StartAsync(h => Config(h.ApiToken, adminToken, redirectUri, serviceUrl) + StateConfig(stateSecret))
            .WaitAsync(TimeSpan.FromSeconds(90));
        return new AuthHub(hub, adminToken, stateSecret);
    }

    /// <summary>The token a user's <c>auth_state</c> holds after logging in (a hub started with <c>authState</c>).</summary>
    public string RepoTokenOf(string user) =>
        Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{_stateSecret ?? throw new InvalidOperationException("no auth state")}:{user}")))
            .ToLowerInvariant();

    private static string StateConfig(string? secret) => secret is null ? "" : $$$"""

        import hashlib as _hashlib, os as _os
        from jupyterhub.auth import DummyAuthenticator as _Dummy
        class _StateAuthenticator(_Dummy):
            async def authenticate(self, handler, data):
                name = await super().authenticate(handler, data)
                if not name:
                    return None
                token = _hashlib.sha256(('{{{secret}}}:' + name).encode()).hexdigest()
                return {'name': name, 'auth_state': {'access_token': token}}
        c.JupyterHub.authenticator_class = _StateAuthenticator
        c.Authenticator.enable_auth_state = True
        c.CryptKeeper.keys = [_os.urandom(32)]
        """;

    private static string Config(string binderToken, string adminToken, string? redirectUri, string? serviceUrl)
    {
        static string Py(string? value) => value is null ? "None" : JsonSerializer.Serialize(value);
        return $$"""
            c.JupyterHub.authenticator_class = 'dummy'
            c.DummyAuthenticator.password = {{Py(Password)}}
            c.JupyterHub.redirect_to_server = False
            _binder = {'name': 'binder', 'api_token': {{Py(binderToken)}}, 'oauth_client_id': {{Py(ClientId)}}, 'oauth_no_confirm': True}
            if {{Py(redirectUri)}}:
                _binder['oauth_redirect_uri'] = {{Py(redirectUri)}}
            if {{Py(serviceUrl)}}:
                _binder['url'] = {{Py(serviceUrl)}}
            c.JupyterHub.services = [_binder, {'name': 'test-admin', 'api_token': {{Py(adminToken)}}}]
            c.JupyterHub.load_roles = [
                {'name': 'binder', 'services': ['binder'], 'scopes': ['servers', 'admin:users', 'read:users']},
                {'name': 'test-admin', 'services': ['test-admin'], 'scopes': ['admin:users', 'admin:servers', 'tokens', 'access:services']},
                {'name': 'user', 'scopes': ['self', 'access:services!service=binder']},
            ]
            """;
    }

    /// <summary>A new hub user with a name unique to this run.</summary>
    public async Task<string> CreateUserAsync(string prefix)
    {
        var name = $"{prefix}-{Hub.RunId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";
        using var response = await _admin.PostAsync(new Uri(Hub.ApiUrl, "users/" + name), null);
        response.EnsureSuccessStatusCode();
        return name;
    }

    /// <summary>What jupyterhub-fancy-profiles does: a one-hour token of the user; <paramref name="scopes"/> null = the user's own.</summary>
    public async Task<string> MintTokenAsync(string user, IReadOnlyList<string>? scopes = null)
    {
        var body = new JsonObject { ["expires_in"] = 3600, ["note"] = "binder test" };
        if (scopes is not null) body["scopes"] = new JsonArray(scopes.Select(s => (JsonNode)s!).ToArray());
        using var response = await _admin.PostAsJsonAsync(new Uri(Hub.ApiUrl, $"users/{user}/tokens"), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"minting a token for {user}: {(int)response.StatusCode} {text}");
        return (string)JsonNode.Parse(text)!["token"]!;
    }

    /// <summary>Submits the hub's login form (DummyAuthenticator) at <paramref name="loginUrl"/>, as BinderHub's test does.</summary>
    public static async Task<HttpResponseMessage> LogInAsync(HttpClient browser, Uri loginUrl, string user)
    {
        var form = new Dictionary<string, string> { ["username"] = user, ["password"] = Password };
        using var page = await browser.GetAsync(loginUrl);
        var xsrf = XsrfField().Match(await page.Content.ReadAsStringAsync());
        if (xsrf.Success) form["_xsrf"] = System.Net.WebUtility.HtmlDecode(xsrf.Groups[1].Value);
        return await browser.PostAsync(loginUrl, new FormUrlEncodedContent(form));
    }

    /// <summary>An HTTP client that keeps cookies and follows redirects, as a browser does.</summary>
    public static HttpClient NewBrowser(TimeSpan timeout) =>
        new(new SocketsHttpHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = true, MaxAutomaticRedirections = 20 })
        {
            Timeout = timeout,
        };

    [System.Text.RegularExpressions.GeneratedRegex("name=\"_xsrf\" value=\"([^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex XsrfField();

    /// <summary>Names of the user's servers the hub has (running or starting), "" for the default one.</summary>
    public async Task<IReadOnlyList<string>> ServersOfAsync(string user)
    {
        var model = await Hub.GetUserAsync(user);
        return (model?["servers"] as JsonObject)?.Select(s => s.Key).ToList() ?? [];
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await Hub.DisposeAsync();
    }
}
