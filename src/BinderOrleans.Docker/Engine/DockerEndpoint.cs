namespace BinderOrleans.Docker.Engine;

/// <summary>Where the engine listens (<c>Docker:Host</c>): a unix socket or a plain TCP address, checked at start.</summary>
internal sealed record DockerEndpoint(string? SocketPath, Uri? TcpAddress)
{
    /// <summary>The address Docker.DotNet takes: <c>unix:///path</c> or <c>tcp://host:port</c>.</summary>
    public Uri Uri => SocketPath is { } path ? new Uri("unix://" + path) : new UriBuilder("tcp", TcpAddress!.Host, TcpAddress.Port).Uri;

    public static bool TryParse(string host, out DockerEndpoint endpoint, out string error)
    {
        endpoint = new DockerEndpoint(null, null);
        error = "";
        if (host.StartsWith("unix://", StringComparison.Ordinal))
        {
            var path = host["unix://".Length..];
            if (!path.StartsWith('/'))
            {
                error = $"a unix socket needs an absolute path, e.g. unix:///var/run/docker.sock (got '{host}').";
                return false;
            }
            endpoint = new DockerEndpoint(path, null);
            return true;
        }
        if (host.StartsWith("tcp://", StringComparison.Ordinal) || host.StartsWith("http://", StringComparison.Ordinal))
        {
            var http = "http://" + host[(host.IndexOf("://", StringComparison.Ordinal) + 3)..];
            if (!Uri.TryCreate(http, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Port <= 0)
            {
                error = $"expected tcp://host:port (got '{host}').";
                return false;
            }
            endpoint = new DockerEndpoint(null, uri);
            return true;
        }
        error = $"expected unix:///path or tcp://host:port (got '{host}'); TLS endpoints are not supported.";
        return false;
    }
}
