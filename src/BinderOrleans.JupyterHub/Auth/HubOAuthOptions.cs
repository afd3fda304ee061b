using Microsoft.AspNetCore.Authentication.OAuth;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>ASP.NET Core's OAuth options plus the redirect URI the hub has on record, sent verbatim (it may be a bare path).</summary>
internal sealed class HubOAuthOptions : OAuthOptions
{
    /// <summary>The service's <c>oauth_redirect_uri</c>; empty = the URL built from the request and <c>CallbackPath</c>.</summary>
    public string RegisteredRedirectUri { get; set; } = "";
}
