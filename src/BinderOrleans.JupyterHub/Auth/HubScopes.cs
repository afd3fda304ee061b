namespace BinderOrleans.JupyterHub.Auth;

/// <summary>BinderHub's access check: the token holds one of the access scopes, or <c>access:services</c> unfiltered.</summary>
internal static class HubScopes
{
    public const string AllServices = "access:services";

    public static bool Grants(IEnumerable<string> held, IReadOnlyList<string> required) =>
        held.Any(scope => scope == AllServices || required.Contains(scope, StringComparer.Ordinal));
}
