namespace BinderOrleans.Core.Outbound;

/// <summary>
/// Where the service may connect when it fetches something a user named (a git URL, a data record and its files, a
/// pre-built image's registry), section <c>Security</c>. By default loopback, private (RFC 1918, ULA), link-local
/// (including the cloud metadata address 169.254.169.254), CGNAT, multicast, reserved, unspecified addresses and the
/// service's own addresses are refused; everything else (the internet) is allowed.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Security";

    /// <summary>
    /// <c>Security:AllowedTargetNetworks</c>: CIDR networks (such as <c>10.20.0.0/16</c>) user fetches may reach although
    /// the defaults refuse them, e.g. an internal GitLab. Default none.
    /// </summary>
    public List<string> AllowedTargetNetworks { get; set; } = [];

    /// <summary>
    /// <c>Security:BlockedTargetNetworks</c>: CIDR networks refused on top of the defaults; they win over
    /// <see cref="AllowedTargetNetworks"/>. Default none.
    /// </summary>
    public List<string> BlockedTargetNetworks { get; set; } = [];

    /// <summary>
    /// Endpoints the operator configured (provider API bases, hosted git hosts, the DOI resolver): they are not user
    /// targets, so fetches to exactly that host and port are not checked. Filled by the registrations, never bound.
    /// </summary>
    internal HashSet<OutboundEndpoint> OperatorEndpoints { get; } = [];

    /// <summary>Adds <paramref name="url"/>'s host and port (an absolute http(s) URL) to <see cref="OperatorEndpoints"/>; anything else is ignored.</summary>
    internal void AddOperatorEndpoint(string? url)
    {
        if (OutboundEndpoint.FromUrl(url) is { } endpoint) OperatorEndpoints.Add(endpoint);
    }
}
