namespace BinderOrleans.JupyterHub.Auth;

/// <summary>Who the hub says a token belongs to (<c>GET /hub/api/user</c>): name, the token's scopes, admin flag.</summary>
public sealed record HubUser(string Name, IReadOnlyList<string> Scopes, bool Admin);
