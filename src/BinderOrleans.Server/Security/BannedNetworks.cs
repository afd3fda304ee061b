using System.Net;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Security;

/// <summary>BinderHub's <c>ban_networks</c>: client IPs in these CIDRs get 403 "Requests from {label} are not allowed".</summary>
public sealed class BannedNetworks
{
    private readonly (IPNetwork Network, string Label)[] _networks;

    public BannedNetworks(IOptions<SecurityOptions> options) =>
        _networks = options.Value.BanNetworks.Select(kv => (IPNetwork.Parse(kv.Key), kv.Value)).ToArray();

    /// <summary>The label of the first network containing <paramref name="ip"/>, or null.</summary>
    public string? Match(IPAddress? ip)
    {
        if (ip is null || _networks.Length == 0) return null;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        foreach (var (network, label) in _networks)
        {
            if (network.Contains(ip)) return label;
        }
        return null;
    }
}
