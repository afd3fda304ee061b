namespace BinderOrleans.Docker.Proxy;

/// <summary>One server behind the proxy: its name (the path segment after <c>user/</c>), its container and where its Jupyter listens.</summary>
/// <param name="Target">Scheme, host and port of the server, e.g. <c>http://172.18.0.5:8888</c>; the request path is kept as is.
/// For a server another replica started, that replica's front end (<paramref name="AtPeer"/>).</param>
/// <param name="AtPeer">The server is another replica's: the request goes to that replica, which forwards it on.</param>
internal sealed record ServerRoute(string Name, string ContainerId, string Target, bool AtPeer = false);
