namespace BinderOrleans.JupyterHub.Auth;

/// <summary>The hub's verdict on a token: its user, or why not (an unknown token, a missing scope, a hub that did not answer).</summary>
public sealed record HubTokenCheck(HubUser? User, string? Refusal, bool HubUnavailable = false)
{
    public static HubTokenCheck Accepted(HubUser user) => new(user, null);

    public static HubTokenCheck Refused(string reason) => new(null, reason);

    public static HubTokenCheck Unavailable(string reason) => new(null, reason, HubUnavailable: true);
}
