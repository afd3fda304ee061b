namespace BinderOrleans.JupyterHub.Auth;

/// <summary>Names of the hub login's authentication schemes and authorization policies.</summary>
public static class HubAuthSchemes
{
    /// <summary>The login cookie.</summary>
    public const string Cookie = "HubCookie";

    /// <summary>The OAuth code flow against the hub.</summary>
    public const string OAuth = "JupyterHub";

    /// <summary>A hub token in the Authorization header.</summary>
    public const string Token = "HubToken";

    /// <summary>Token or cookie; an anonymous visitor is sent to the hub's login.</summary>
    public const string Page = "HubPage";

    /// <summary>Token or cookie; an anonymous caller gets 403.</summary>
    public const string Api = "HubApi";

    /// <summary>Policy for pages (login redirect).</summary>
    public const string PagePolicy = "BinderPage";

    /// <summary>Policy for APIs (403).</summary>
    public const string ApiPolicy = "BinderApi";

    internal const string FailureItem = "binderorleans.hub-failure";
}
