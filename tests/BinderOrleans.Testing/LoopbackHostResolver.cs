using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Outbound;

namespace BinderOrleans.Testing;

/// <summary>
/// The fake <see cref="IHostResolver"/>: names resolve from a table to loopback aliases, so no DNS query leaves the
/// machine. <c>localhost</c> is 127.0.0.1; <see cref="InsideName"/> is the "inside" address 127.0.0.3 (blocked unless a
/// test allows it); an unknown name resolves to <see cref="Unknown"/> (null: host not found).
/// </summary>
public sealed class LoopbackHostResolver : IHostResolver
{
    /// <summary>A name that resolves to <see cref="Inside"/>.</summary>
    public const string InsideName = "inside.test";

    /// <summary>The loopback alias tests treat as "inside": never in <c>Security:AllowedTargetNetworks</c>.</summary>
    public static readonly IPAddress Inside = IPAddress.Parse("127.0.0.3");

    /// <summary>The loopback alias of allowed test hosts (<c>Security:AllowedTargetNetworks=127.0.0.2/32</c>).</summary>
    public static readonly IPAddress Allowed = IPAddress.Parse("127.0.0.2");

    public ConcurrentDictionary<string, IPAddress[]> Names { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback],
        [InsideName] = [Inside],
    };

    /// <summary>Where names not in <see cref="Names"/> resolve; null: they do not.</summary>
    public IPAddress? Unknown { get; set; }

    /// <summary>Every name asked, in order.</summary>
    public ConcurrentQueue<string> Asked { get; } = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Asked.Enqueue(host);
        if (Names.TryGetValue(host, out var addresses)) return Task.FromResult(addresses);
        if (Unknown is { } unknown) return Task.FromResult<IPAddress[]>([unknown]);
        throw new SocketException((int)SocketError.HostNotFound);
    }
}
