using System.Net;

namespace BinderOrleans.Server.Cluster;

/// <summary>
/// How this replica's silo finds the others, section <c>Orleans</c>. The default (<c>localhost</c>) is one process on
/// its own with nothing to install; several replicas share a Redis for membership.
/// </summary>
public sealed class SiloClusterOptions
{
    public const string Section = "Orleans";

    /// <summary><c>Orleans:Clustering</c>: <c>localhost</c> (one silo, the default) or <c>redis</c> (several replicas).</summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary><c>Orleans:Redis</c>: StackExchange.Redis connection string of the membership store (with <c>redis</c>).</summary>
    public string Redis { get; set; } = "";

    /// <summary><c>Orleans:ClusterId</c>: replicas with the same id form one cluster. Default <c>binderorleans</c>.</summary>
    public string ClusterId { get; set; } = "binderorleans";

    /// <summary><c>Orleans:ServiceId</c>: stable across deployments of the same service. Default <c>binderorleans</c>.</summary>
    public string ServiceId { get; set; } = "binderorleans";

    /// <summary><c>Orleans:SiloPort</c>: silo-to-silo port. Default 11111, Orleans'.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary><c>Orleans:GatewayPort</c>: port for external Orleans clients; 0 = no gateway. Default 30000, Orleans'.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// <c>Orleans:AdvertisedIP</c>: the address other silos reach this one at. Default 127.0.0.1 with <c>localhost</c>
    /// clustering; with <c>redis</c>, the pod IP from <c>POD_IP</c> in Kubernetes, else 127.0.0.1 when the Redis is on
    /// loopback (every silo then runs on this machine), else this host's first non-loopback address. Set it when
    /// silos on several machines reach a remote Redis through a local tunnel.
    /// </summary>
    public string AdvertisedIP { get; set; } = "";

    /// <summary>
    /// <c>Orleans:Kubernetes</c>: also use Orleans' Kubernetes hosting (pod name, namespace and IP from the downward API;
    /// a silo whose pod is gone is declared dead at once). Default: on when running in a pod with <c>redis</c> clustering.
    /// </summary>
    public bool? Kubernetes { get; set; }

    /// <summary>
    /// <c>Orleans:KubeConfig</c>: a kubeconfig file for Orleans' Kubernetes hosting to reach the API server with. Default
    /// empty: the pod's own service account (in-cluster configuration), which is what a deployment wants.
    /// </summary>
    public string KubeConfig { get; set; } = "";

    public bool IsRedis => string.Equals(Clustering, "redis", StringComparison.OrdinalIgnoreCase);

    internal static IEnumerable<string> Validate(SiloClusterOptions o)
    {
        if (!string.Equals(o.Clustering, "localhost", StringComparison.OrdinalIgnoreCase) && !o.IsRedis)
            yield return $"Orleans:Clustering must be 'localhost' or 'redis', not '{o.Clustering}'.";
        if (o.IsRedis && string.IsNullOrWhiteSpace(o.Redis))
            yield return "Orleans:Redis must give the Redis connection string (host:port) when Orleans:Clustering is 'redis'.";
        if (o.SiloPort is <= 0 or > 65535) yield return "Orleans:SiloPort must be a port number (1–65535).";
        if (o.GatewayPort is < 0 or > 65535) yield return "Orleans:GatewayPort must be a port number, or 0 for no gateway.";
        if (o.GatewayPort != 0 && o.GatewayPort == o.SiloPort) yield return "Orleans:GatewayPort must differ from Orleans:SiloPort.";
        if (string.IsNullOrWhiteSpace(o.ClusterId)) yield return "Orleans:ClusterId must not be empty.";
        if (string.IsNullOrWhiteSpace(o.ServiceId)) yield return "Orleans:ServiceId must not be empty.";
        if (o.KubeConfig.Length > 0 && !File.Exists(o.KubeConfig)) yield return $"Orleans:KubeConfig names a file that does not exist: '{o.KubeConfig}'.";
        if (o.AdvertisedIP.Length > 0 && !IPAddress.TryParse(o.AdvertisedIP, out _)) yield return $"Orleans:AdvertisedIP must be an IP address, not '{o.AdvertisedIP}'.";
    }
}
