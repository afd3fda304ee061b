namespace BinderOrleans.Core.Outbound;

/// <summary>A host name (lower case, IPv6 without brackets) and port.</summary>
internal readonly record struct OutboundEndpoint(string Host, int Port)
{
    public static OutboundEndpoint Of(string host, int port) => new(host.Trim('[', ']').TrimEnd('.').ToLowerInvariant(), port);

    /// <summary>The host and port of an absolute http(s) URL (default ports filled in), or null.</summary>
    public static OutboundEndpoint? FromUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? Of(uri.Host, uri.Port)
            : null;
}
