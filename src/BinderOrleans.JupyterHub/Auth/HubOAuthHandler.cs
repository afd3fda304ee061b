using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// ASP.NET Core's OAuth code flow against JupyterHub as JupyterHub's <c>HubOAuth</c> runs it: the authorize request
/// carries <c>client_id</c>, <c>redirect_uri</c>, <c>response_type=code</c> and the state, and no scope (the hub grants
/// the client's scopes); the redirect URI is the one the hub has on record, written as registered. The user is then
/// identified with the new token by <see cref="HubIdentity"/>, which also checks the access scope.
/// </summary>
internal sealed class HubOAuthHandler(IOptionsMonitor<HubOAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder, HubIdentity hubIdentity)
    : OAuthHandler<HubOAuthOptions>(options, logger, encoder)
{
    /// <summary>
    /// Back to the page as it was asked for: the raw target keeps escapes such as <c>%2F</c> in a spec, which the decoded
    /// path (the handler's default) would turn into a different address.
    /// </summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (string.IsNullOrEmpty(properties.RedirectUri) && Context.Features.Get<IHttpRequestFeature>()?.RawTarget is { } raw
            && raw.StartsWith('/') && !raw.StartsWith("//", StringComparison.Ordinal))
        {
            properties.RedirectUri = raw;
        }
        return base.HandleChallengeAsync(properties);
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri) =>
        QueryHelpers.AddQueryString(Options.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = Options.ClientId,
            ["redirect_uri"] = RedirectUri(redirectUri),
            ["response_type"] = "code",
            ["state"] = Options.StateDataFormat.Protect(properties),
        });

    protected override Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context) =>
        base.ExchangeCodeAsync(new OAuthCodeExchangeContext(context.Properties, context.Code, RedirectUri(context.RedirectUri)));

    protected override async Task<AuthenticationTicket> CreateTicketAsync(ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var check = await hubIdentity.CheckAsync(tokens.AccessToken ?? "", Context.RequestAborted).ConfigureAwait(false);
        // A null ticket makes the handler report a remote failure, which the events turn into a 403 page.
        if (check.User is not { } user)
        {
            properties.Items[HubAuthSchemes.FailureItem] = check.Refusal;
            return null!;
        }
        var principal = new ClaimsPrincipal(HubClaims.Identity(user, Scheme.Name));
        return new AuthenticationTicket(principal, properties, Scheme.Name);
    }

    private string RedirectUri(string built) => Options.RegisteredRedirectUri.Length > 0 ? Options.RegisteredRedirectUri : built;
}
