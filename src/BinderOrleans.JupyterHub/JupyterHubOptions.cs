namespace BinderOrleans.JupyterHub;

/// <summary>JupyterHub launcher settings, section <c>JupyterHub</c> (read when <c>Launch:Backend</c> is <c>jupyterhub</c>).</summary>
public sealed class JupyterHubOptions
{
    public const string Section = "JupyterHub";

    /// <summary><c>JupyterHub:Url</c>: the hub's public URL (BinderHub's <c>hub_url</c>); server URLs given to clients start with it. Required.</summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// <c>JupyterHub:ApiUrl</c> (or <c>JUPYTERHUB_API_URL</c>): where the REST API is reached, e.g. an in-cluster address.
    /// Default <c>Url</c> + <c>hub/api/</c>.
    /// </summary>
    public string ApiUrl { get; set; } = "";

    /// <summary><c>JupyterHub:ApiToken</c> (or <c>JUPYTERHUB_API_TOKEN</c>): the service's API token. Required; never logged.</summary>
    public string ApiToken { get; set; } = "";

    /// <summary><c>JupyterHub:Retries</c>: attempts per hub API call and per launch (each launch attempt uses a fresh user). Default 4.</summary>
    public int Retries { get; set; } = DefaultRetries;

    /// <summary><c>JupyterHub:RetryDelay</c>: wait before the first retry, doubled after each. Default 4 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary><c>JupyterHub:LaunchTimeout</c>: longest one launch attempt may take, from creating the user to ready. Default 600 s.</summary>
    public TimeSpan LaunchTimeout { get; set; } = TimeSpan.FromSeconds(600);

    /// <summary>
    /// <c>JupyterHub:AllowNamedServers</c> (or <c>JUPYTERHUB_ALLOW_NAMED_SERVERS</c>): launch each server as a named server of
    /// <see cref="NamedServerUser"/> instead of the default server of a fresh temporary user. The hub must allow named servers.
    /// Default false.
    /// </summary>
    public bool AllowNamedServers { get; set; }

    /// <summary>
    /// <c>JupyterHub:NamedServerLimitPerUser</c> (or <c>JUPYTERHUB_NAMED_SERVER_LIMIT_PER_USER</c>): with named servers, refuse a
    /// launch (409) when the user already has this many. 0 (default) = no limit.
    /// </summary>
    public int NamedServerLimitPerUser { get; set; }

    /// <summary><c>JupyterHub:NamedServerUser</c>: the hub user that owns the named servers. Default <c>binder-servers</c>.</summary>
    public string NamedServerUser { get; set; } = DefaultNamedServerUser;

    public const int DefaultRetries = 4;

    public const string DefaultNamedServerUser = "binder-servers";

    /// <summary>The public URL with a trailing slash.</summary>
    internal Uri PublicUri => new(WithSlash(Url));

    /// <summary>The API base with a trailing slash.</summary>
    internal Uri ApiUri => new(string.IsNullOrWhiteSpace(ApiUrl) ? WithSlash(Url) + "hub/api/" : WithSlash(ApiUrl));

    internal static string WithSlash(string url) => url.EndsWith('/') ? url : url + "/";
}
