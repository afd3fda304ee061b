namespace BinderOrleans.Core.Options;

/// <summary>Site-wide settings, section <c>Binder</c>.</summary>
public sealed class SiteOptions
{
    public const string Section = "Binder";

    /// <summary><c>Binder:BaseUrl</c>: URL prefix of every route (BinderHub's <c>base_url</c>). Default <c>/</c>.</summary>
    public string BaseUrl { get; set; } = "/";

    /// <summary><c>Binder:ImagePrefix</c>: prefix of every image name (registry host/project/prefix). Default empty.</summary>
    public string ImagePrefix { get; set; } = "";

    /// <summary><c>Binder:BadgeBaseUrl</c>: base for <c>binder_launch_host</c>; empty = this server's own URL.</summary>
    public string BadgeBaseUrl { get; set; } = "";

    /// <summary><c>Binder:KeepaliveInterval</c>: SSE comment interval. Default 25 s, as BinderHub.</summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// <c>Binder:SessionSecret</c>: the key that signs session ids (HMAC-SHA256), so a client cannot choose one. Every
    /// replica of a cluster needs the same value (required with <c>Orleans:Clustering=redis</c>, at least
    /// <see cref="MinSessionSecretLength"/> characters); a single process without one makes a random key at start.
    /// Never logged.
    /// </summary>
    public string SessionSecret { get; set; } = "";

    public const int MinSessionSecretLength = 32;

    /// <summary><c>Binder:SessionLinger</c>: how long a finished launch session stays resumable by Last-Event-ID. Default 10 min.</summary>
    public TimeSpan SessionLinger { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// <c>Binder:MaxSessions</c>: launch sessions kept on one replica. At the bound the oldest finished sessions are
    /// evicted; when all are still running a new request is refused with 503. Default 5 000.
    /// </summary>
    public int MaxSessions { get; set; } = 5_000;

    /// <summary>
    /// <c>Binder:ReconnectGrace</c>: a session whose client left is cancelled unless a client re-attaches within this; a
    /// server that became ready meanwhile is held for the returning client and stopped when none came. Default 60 s.
    /// </summary>
    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>Binder:ReadyHoldOpen</c>: after <c>ready</c>, the <c>/build</c> stream stays open (with keepalives) until the client
    /// closes it or this time passes, because binderhub-client reports a server-side close as a failure. Default 60 s,
    /// BinderHub's. A reconnect after the end gets 204, so holding open is not needed to prevent relaunches.
    /// </summary>
    public TimeSpan ReadyHoldOpen { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>Binder:DrainTimeout</c>: on SIGTERM the replica fails readiness and takes no new sessions, but finishes the
    /// builds and launches it runs (its watchers keep streaming) for up to this long; what is still running then is
    /// handed over (the other replicas re-attach to a build pod or start it again, and clients resume). The host's
    /// shutdown timeout is this plus <see cref="SiloStopMargin"/>, so keep both under the pod's
    /// <c>terminationGracePeriodSeconds</c> (60 s in k8s/deployment.yaml). Default 40 s; 0 = no drain.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = DefaultDrainTimeout;

    /// <summary>The default of <see cref="DrainTimeout"/>: 40 s.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(40);

    /// <summary>
    /// Time the host's shutdown allows after the drain, for the web server and the silo to stop gracefully (handing over
    /// what still runs, leaving the membership): 15 s. A loaded replica was measured to need about 15 s after a drain
    /// deadline with 10 sessions still running.
    /// </summary>
    public static readonly TimeSpan SiloStopMargin = TimeSpan.FromSeconds(15);

    /// <summary><c>Binder:EventLogPath</c>: file the launch analytics events (schema binderhub.jupyter.org/launch v6) are appended to. Empty = off.</summary>
    public string EventLogPath { get; set; } = "";

    /// <summary><c>Binder:NormalizedOrigin</c>: value of <c>origin</c> in launch events (BinderHub's normalized_origin); empty = the request host.</summary>
    public string NormalizedOrigin { get; set; } = "";

    /// <summary><c>Binder:PerRepoQuota</c>: servers one repository may run at once (BinderHub's <c>per_repo_quota</c>). Default 0 = no limit.</summary>
    public int PerRepoQuota { get; set; }

    /// <summary><c>Binder:PerRepoQuotaHigher</c>: the quota of specs matching a provider's <c>HighQuotaSpecs</c>. Default 0 = no limit.</summary>
    public int PerRepoQuotaHigher { get; set; }

    /// <summary>
    /// <c>Binder:CorsAllowOrigin</c>: value of <c>Access-Control-Allow-Origin</c> on <c>/build</c>, <c>/api/*</c>, <c>/health</c>
    /// and <c>/versions</c> (BinderHub's <c>cors_allow_origin</c>), an origin such as <c>https://book.example.org</c> or <c>*</c>.
    /// Launched servers get the same value as their notebook <c>allow_origin</c>. Empty (the default) = no CORS, except
    /// <c>/versions</c>, which is always open to every origin.
    /// </summary>
    public string CorsAllowOrigin { get; set; } = "";

    /// <summary>Empty, <c>*</c>, or an origin as browsers send it: scheme, host, optional port, nothing after.</summary>
    internal static bool IsValidCorsOrigin(string value) =>
        value.Length == 0 || value == "*"
        || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            && uri.GetLeftPart(UriPartial.Authority).Equals(value, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <c>Binder:EnableApiOnlyMode</c>: serve only <c>/build</c>, <c>/health</c>, <c>/versions</c>, <c>/metrics</c>,
    /// <c>/api/repoproviders</c> (and the build logs the events link to), no pages; and allow <c>build_only=true</c>
    /// (BinderHub's <c>enable_api_only_mode</c>). Default false.
    /// </summary>
    public bool EnableApiOnlyMode { get; set; }

    /// <summary>
    /// <c>Binder:AuthEnabled</c>: people log in through JupyterHub (BinderHub's <c>auth_enabled</c>); every page and
    /// <c>/build</c> need a logged-in user or a hub token, and launches are the user's own servers, no temporary users.
    /// Needs <c>JupyterHub:Url</c> and <c>JupyterHub:ApiToken</c>; login settings in <c>JupyterHub:Auth</c>. Default false.
    /// </summary>
    public bool AuthEnabled { get; set; }
}
