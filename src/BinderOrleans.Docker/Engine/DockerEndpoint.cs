using System.Net.Sockets;

namespace BinderOrleans.Docker.Engine;

/// <summary>Where the engine listens: a unix socket or a plain TCP address (<c>Docker:Host</c>).</summary>
internal sealed record DockerEndpoint(string? SocketPath, Uri? TcpAddress)
{
    /// <summary>The base address requests use; over a socket the host name is only a placeholder.</summary>
    public Uri BaseAddress => TcpAddress ?? new Uri("http://docker.sock/");

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

    /// <summary>The handler that reaches the engine; for a socket every connection is a new unix-domain stream.</summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (SocketPath is { } path)
        {
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return handler;
    }
}
