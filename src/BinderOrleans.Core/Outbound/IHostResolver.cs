using System.Net;

namespace BinderOrleans.Core.Outbound;

/// <summary>
/// Name resolution for the outbound guard: the system resolver (<see cref="SystemHostResolver"/>), registered with
/// TryAdd so a test's resolver registered first wins (names then resolve to loopback aliases and no query leaves the machine).
/// </summary>
public interface IHostResolver
{
    /// <summary>The addresses of <paramref name="host"/> (a DNS name); empty or <see cref="System.Net.Sockets.SocketException"/> when it has none.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
