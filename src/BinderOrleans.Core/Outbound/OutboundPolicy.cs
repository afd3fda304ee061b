using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace BinderOrleans.Core.Outbound;

/// <summary>
/// The decision alone: may a user fetch connect to this address? Refused: the default networks (<see cref="DefaultBlocked"/>),
/// <c>Security:BlockedTargetNetworks</c> and the service's own addresses, unless <c>Security:AllowedTargetNetworks</c>
/// holds the address; <c>Security:BlockedTargetNetworks</c> wins over both. IPv4 written inside IPv6 (mapped, compatible,
/// NAT64) is judged as the IPv4 address it carries.
/// </summary>
internal sealed class OutboundPolicy
{
    /// <summary>Not the internet: loopback, private, link-local, CGNAT, multicast, reserved, unspecified, and their IPv6 kin.</summary>
    public static readonly IReadOnlyList<IPNetwork> DefaultBlocked =
    [
        IPNetwork.Parse("0.0.0.0/8"),          // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),         // RFC 1918
        IPNetwork.Parse("100.64.0.0/10"),      // CGNAT
        IPNetwork.Parse("127.0.0.0/8"),        // loopback
        IPNetwork.Parse("169.254.0.0/16"),     // link-local, cloud metadata
        IPNetwork.Parse("172.16.0.0/12"),      // RFC 1918
        IPNetwork.Parse("192.0.0.0/24"),       // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),     // RFC 1918
        IPNetwork.Parse("198.18.0.0/15"),      // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),        // multicast
        IPNetwork.Parse("240.0.0.0/4"),        // reserved, broadcast
        IPNetwork.Parse("::/128"),             // unspecified
        IPNetwork.Parse("::1/128"),            // loopback
        IPNetwork.Parse("100::/64"),           // discard-only
        IPNetwork.Parse("fc00::/7"),           // unique local (ULA)
        IPNetwork.Parse("fe80::/10"),          // link-local
        IPNetwork.Parse("fec0::/10"),          // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),           // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");

    private readonly IPNetwork[] _allowed;
    private readonly IPNetwork[] _blocked;
    private readonly HashSet<IPAddress> _own;

    /// <param name="options">The configured networks (already validated).</param>
    /// <param name="ownAddresses">The service's own addresses; null reads them from the network interfaces.</param>
    public OutboundPolicy(OutboundOptions options, IEnumerable<IPAddress>? ownAddresses = null)
    {
        _allowed = options.AllowedTargetNetworks.Select(n => IPNetwork.Parse(n.Trim())).ToArray();
        _blocked = options.BlockedTargetNetworks.Select(n => IPNetwork.Parse(n.Trim())).ToArray();
        _own = (ownAddresses ?? OwnAddresses()).Select(Normalize).ToHashSet();
    }

    /// <summary>True when a user fetch may connect to <paramref name="address"/>.</summary>
    public bool IsAllowed(IPAddress address)
    {
        var a = Normalize(address);
        if (_blocked.Any(n => n.Contains(a))) return false;
        if (_allowed.Any(n => n.Contains(a))) return true;
        return !DefaultBlocked.Any(n => n.Contains(a)) && !_own.Contains(a);
    }

    /// <summary>The address as the network sees it: IPv4 carried in IPv6 becomes IPv4; scope ids are dropped.</summary>
    internal static IPAddress Normalize(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || (Compatible.Contains(address) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback)))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return address.ScopeId == 0 ? address : new IPAddress(bytes);
    }

    private static IEnumerable<IPAddress> OwnAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .ToArray();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
