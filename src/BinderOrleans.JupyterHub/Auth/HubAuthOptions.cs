namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// Hub login settings, section <c>JupyterHub:Auth</c>, read when <c>Binder:AuthEnabled</c> is true. The hub itself
/// (<c>JupyterHub:Url</c>, <c>JupyterHub:ApiUrl</c>, <c>JupyterHub:ApiToken</c>) comes from <see cref="JupyterHubOptions"/>;
/// the API token is also the OAuth client secret, as for every JupyterHub service.
/// </summary>
public sealed class HubAuthOptions
{
    public const string Section = "JupyterHub:Auth";

    /// <summary><c>JupyterHub:Auth:ServiceName</c> (or <c>JUPYTERHUB_SERVICE_NAME</c>): the hub service this is. Default <c>binder</c>.</summary>
    public string ServiceName { get; set; } = DefaultServiceName;

    /// <summary>
    /// <c>JupyterHub:Auth:ClientId</c> (or <c>JUPYTERHUB_CLIENT_ID</c>): the service's <c>oauth_client_id</c>. Default
    /// <c>service-</c> + <see cref="ServiceName"/>, JupyterHub's own default.
    /// </summary>
    public string ClientId { get; set; } = "";

    /// <summary>
    /// <c>JupyterHub:Auth:CallbackUrl</c> (or <c>JUPYTERHUB_OAUTH_CALLBACK_URL</c>): the service's <c>oauth_redirect_uri</c>,
    /// sent to the hub exactly as written (the hub compares it as a string); an absolute URL, or a path such as
    /// <c>/services/binder/oauth_callback</c>. Default <c>Binder:BaseUrl</c> + <c>oauth_callback</c>.
    /// </summary>
    public string CallbackUrl { get; set; } = "";

    /// <summary>
    /// <c>JupyterHub:Auth:AuthorizeUrl</c>: where browsers are sent to log in. Default
    /// <c>JupyterHub:Url</c> + <c>hub/api/oauth2/authorize</c>; with <c>JUPYTERHUB_BASE_URL</c> set (a hub-managed service),
    /// <c>JUPYTERHUB_HOST</c> + that base + <c>hub/api/oauth2/authorize</c>.
    /// </summary>
    public string AuthorizeUrl { get; set; } = "";

    /// <summary>
    /// <c>JupyterHub:Auth:AccessScopes</c> (or <c>JUPYTERHUB_OAUTH_ACCESS_SCOPES</c>, a JSON list): a user or token needs one of
    /// them. Default <c>access:services!service=</c><see cref="ServiceName"/>; <c>access:services</c> always counts.
    /// </summary>
    public List<string> AccessScopes { get; set; } = [];

    /// <summary><c>JupyterHub:Auth:TokenCacheDuration</c>: how long the hub's answer about a token is reused. Default 60 s.</summary>
    public TimeSpan TokenCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>JupyterHub:Auth:CookieSecret</c>: key material for the login cookie and the OAuth state, shared by all replicas.
    /// Default: derived from <c>JupyterHub:ApiToken</c>, which every replica has. Never logged.
    /// </summary>
    public string CookieSecret { get; set; } = "";

    /// <summary><c>JupyterHub:Auth:CookieName</c>: the login cookie. Default <c>binderorleans-session</c>.</summary>
    public string CookieName { get; set; } = DefaultCookieName;

    /// <summary>
    /// <c>JupyterHub:Auth:RepoCredentials</c>: private repositories with the user's own credentials from the hub's
    /// <c>auth_state</c> (which needs <c>c.Authenticator.enable_auth_state = True</c> and the <c>admin:auth_state</c> scope in
    /// the service's role). Each entry names a URL prefix and where the token is; the first match wins. Default none.
    /// Such a build's image name includes the user; the token goes to that user's resolve and clone only.
    /// </summary>
    public List<HubRepoCredentialRule> RepoCredentials { get; set; } = [];

    public const string DefaultServiceName = "binder";

    public const string DefaultCookieName = "binderorleans-session";

    internal string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? "service-" + ServiceName : ClientId;

    internal IReadOnlyList<string> EffectiveAccessScopes =>
        AccessScopes.Count > 0 ? AccessScopes : [$"access:services!service={ServiceName}"];
}
