namespace BinderOrleans.JupyterHub.Api;

/// <summary>Paths relative to the API base and the public URL, escaped as JupyterHub escapes them.</summary>
internal static class HubPaths
{
    /// <summary>Percent-escapes a user or server name, leaving <c>@</c> and <c>~</c> as JupyterHub does.</summary>
    public static string Escape(string name) => Uri.EscapeDataString(name).Replace("%40", "@", StringComparison.Ordinal);

    public static string User(string user) => $"users/{Escape(user)}";

    /// <summary><c>users/{name}/servers/{server}</c>; the default server's path ends in <c>servers/</c>.</summary>
    public static string Server(string user, string server) => $"users/{Escape(user)}/servers/{Escape(server)}";

    public static string Progress(string user, string server) =>
        server.Length == 0 ? $"users/{Escape(user)}/server/progress" : $"users/{Escape(user)}/servers/{Escape(server)}/progress";

    /// <summary>The server's public base path below the hub URL: <c>user/{name}/</c> (+ <c>{server}/</c>).</summary>
    public static string PublicServer(string user, string server) =>
        server.Length == 0 ? $"user/{Escape(user)}/" : $"user/{Escape(user)}/{Escape(server)}/";
}
