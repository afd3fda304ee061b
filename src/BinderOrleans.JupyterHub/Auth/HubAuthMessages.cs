namespace BinderOrleans.JupyterHub.Auth;

/// <summary>What a refused caller is told.</summary>
public static class HubAuthMessages
{
    public const string NotLoggedIn =
        "Forbidden: log in through the hub, or send a hub API token with the access:services!service=binder scope as 'Authorization: token <token>'.";
}
