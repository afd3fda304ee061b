using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Builds;

/// <summary>Turns a build's relative <c>build_log_url</c> into an absolute one for a client that reached the service at a given URL.</summary>
public static class BuildLogLinks
{
    /// <param name="e">Any event; only one with a relative <c>build_log_url</c> changes.</param>
    /// <param name="serviceUrl">The service's base URL as the client reached it, ending in <c>/</c>; null leaves the link relative.</param>
    public static BinderEvent Absolute(BinderEvent e, string? serviceUrl)
    {
        if (e.BuildLogUrl is not { } link || serviceUrl is null) return e;
        if (Uri.TryCreate(link, UriKind.Absolute, out _) || !Uri.TryCreate(serviceUrl, UriKind.Absolute, out var baseUri)) return e;
        return e with { BuildLogUrl = new Uri(baseUri, link).AbsoluteUri };
    }
}
