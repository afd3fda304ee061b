using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// A hub API token in <c>Authorization: token …</c> or <c>Authorization: Bearer …</c> (how binderhub-client and
/// jupyterhub-fancy-profiles call <c>/build</c>), checked by <see cref="HubIdentity"/>. No header: no result, so the
/// cookie can speak. Its challenge and forbid answer 403 with a problem document, never a redirect.
/// </summary>
internal sealed class HubTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, HubIdentity identity)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string FailureKey = "binderorleans.hub-token-failure";

    /// <summary>The token in the Authorization header, or null.</summary>
    internal static string? TokenOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        foreach (var prefix in new[] { "token ", "bearer " })
        {
            if (header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                var token = header[prefix.Length..].Trim();
                return token.Length > 0 ? token : null;
            }
        }
        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (TokenOf(Request) is not { } token) return AuthenticateResult.NoResult();
        var check = await identity.CheckAsync(token, Context.RequestAborted).ConfigureAwait(false);
        if (check.User is not { } user)
        {
            Context.Items[FailureKey] = check.Refusal;
            return AuthenticateResult.Fail(check.Refusal ?? "The hub does not accept this token.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new(HubClaims.Identity(user, Scheme.Name)), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => WriteForbiddenAsync();

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => WriteForbiddenAsync();

    private async Task WriteForbiddenAsync()
    {
        var detail = Context.Items[FailureKey] as string ?? HubAuthMessages.NotLoggedIn;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.ContentType = "application/problem+json";
        var problem = new JsonObject { ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.4", ["title"] = "Forbidden", ["status"] = 403, ["detail"] = detail };
        await Response.WriteAsync(problem.ToJsonString(), Context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Why this request's token was refused, if it sent one.</summary>
    internal static string? FailureOf(HttpContext context) => context.Items[FailureKey] as string;
}
