using System.Security.Claims;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>The hub user as a <see cref="ClaimsPrincipal"/>: the name, each scope of the token, the admin flag.</summary>
public static class HubClaims
{
    public const string Scope = "jupyterhub:scope";

    public const string Admin = "jupyterhub:admin";

    public static ClaimsIdentity Identity(HubUser user, string authenticationType)
    {
        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, user.Name));
        foreach (var scope in user.Scopes) identity.AddClaim(new Claim(Scope, scope));
        if (user.Admin) identity.AddClaim(new Claim(Admin, "true"));
        return identity;
    }

    /// <summary>The logged-in hub user's name, or null for an anonymous request.</summary>
    public static string? UserName(ClaimsPrincipal? principal) =>
        principal?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;
}
