using System.Globalization;
using Docker.DotNet.Models;

namespace BinderOrleans.Docker.Launches;

/// <summary>Where a launched server's Jupyter answers, seen from this host: the URL its <c>base_url</c> is served at.</summary>
internal static class ServerAddress
{
    /// <summary>
    /// With a port label (published, or listening in the host's network): that port on <c>Docker:ServerIp</c>. Without
    /// one (behind the proxy, in its own network): the container's address on its network, port 8888. The path is the
    /// path label (<c>/</c> when there is none). Null when the container has no address to reach it at.
    /// </summary>
    public static Uri? Of(ContainerInspectResponse container, DockerOptions options)
    {
        var labels = container.Config?.Labels;
        var path = DockerLabels.Get(labels, DockerLabels.LaunchPath) ?? "/";
        if (DockerLabels.Get(labels, DockerLabels.LaunchPort) is { } portText)
        {
            return int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? Url(LocalHost(options), port, path)
                : null;
        }
        var ip = ContainerIp(container);
        return ip is null ? null : Url(ip, DockerOptions.ContainerPort, path);
    }

    /// <summary>The container's address on the network it was started in (its network mode), else on any network.</summary>
    public static string? ContainerIp(ContainerInspectResponse container)
    {
        var networks = container.NetworkSettings?.Networks;
        if (networks is null) return null;
        if (container.HostConfig?.NetworkMode is { } mode && networks.TryGetValue(mode, out var own) && own.IPAddress is { Length: > 0 } ownIp)
        {
            return ownIp;
        }
        return networks.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip));
    }

    /// <summary><c>Docker:ServerIp</c>, or loopback when it is a wildcard.</summary>
    public static string LocalHost(DockerOptions options) => options.ServerIp is "0.0.0.0" or "::" ? "127.0.0.1" : options.ServerIp;

    public static Uri Url(string host, int port, string path) => new UriBuilder(Uri.UriSchemeHttp, host, port, path).Uri;
}
