using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using StackExchange.Redis;

namespace BinderOrleans.Server.Cluster;

/// <summary>Makes the web application a silo too: every replica hosts grains and serves their streams.</summary>
internal static class SiloHostingExtensions
{
    public static WebApplicationBuilder AddBinderSilo(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SiloClusterOptions.Section);
        var options = section.Get<SiloClusterOptions>() ?? new SiloClusterOptions();
        // Validated here as well as at start: clustering is chosen while the host is built, before ValidateOnStart runs.
        var problems = SiloClusterOptions.Validate(options).ToList();
        if (problems.Count > 0) throw new OptionsValidationException(SiloClusterOptions.Section, typeof(SiloClusterOptions), problems);
        builder.Services.AddSingleton(Options.Create(options));
        // Replicas resume each other's sessions only if they sign session ids with the same key.
        builder.Services.AddOptions<SiteOptions>()
            .Validate(site => !options.IsRedis || site.SessionSecret.Length > 0,
                "Binder:SessionSecret must be set when Orleans:Clustering is redis: every replica signs session ids with it, so all need the same value (e.g. from a Kubernetes Secret; 'openssl rand -hex 32' makes one).")
            .ValidateOnStart();
        // Orleans reads its own provider configuration from Orleans:Clustering:ProviderType; our Orleans:Clustering is a
        // plain value ("redis"), which it would take for a provider named Default. Clustering is set up below instead.
        builder.Configuration[$"{SiloClusterOptions.Section}:{nameof(SiloClusterOptions.Clustering)}"] = null;
        // Docker:Proxy is the embedded default. Replicas forward a server's requests to the one that started it, but
        // that replica's servers (on its node's engine) and a ready URL on its own port do not outlive it in a rolling
        // update: with Redis clustering the proxy is on only when asked for.
        if (options.IsRedis && builder.Configuration["Docker:Proxy"] is null) builder.Configuration["Docker:Proxy"] = "false";
        builder.Services.AddSingleton<ClusterHealthCheck>();
        builder.Services.AddSingleton<IBinderHealthCheck>(sp => sp.GetRequiredService<ClusterHealthCheck>());
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>(ClusterHealthCheck.Name, tags: [Info.HealthTags.Ready]);

        builder.UseOrleans(silo =>
        {
            var advertised = AdvertisedAddress(options);
            silo.UseStrictGrainDirectory();
            if (options.IsRedis)
            {
                silo.UseRedisClustering(options.Redis);
                silo.Services.AddRedisMembershipRecovery();
                silo.Configure<ClusterOptions>(c =>
                {
                    c.ClusterId = options.ClusterId;
                    c.ServiceId = options.ServiceId;
                });
                silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
                if (IPAddress.IsLoopback(advertised))
                {
                    // A silo advertised on loopback listens there too. Orleans' Kubernetes hosting would otherwise listen
                    // on 0.0.0.0, which in a hostNetwork pod is every address of the node.
                    silo.Configure<EndpointOptions>(e =>
                    {
                        e.SiloListeningEndpoint = new IPEndPoint(advertised, options.SiloPort);
                        if (options.GatewayPort > 0) e.GatewayListeningEndpoint = new IPEndPoint(advertised, options.GatewayPort);
                    });
                }
                // A replica that dies is voted out in about 6 s (Orleans' defaults take about 30 s); until then its
                // sessions' clients retry, then resume on a survivor.
                silo.Configure<ClusterMembershipOptions>(m =>
                {
                    m.ProbeTimeout = TimeSpan.FromSeconds(2);
                    m.NumMissedProbesLimit = 3;
                });
                if (options.Kubernetes ?? Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 })
                {
                    silo.UseKubernetesHosting(hosting =>
                    {
                        if (options.KubeConfig.Length > 0)
                        {
                            hosting.Configure(h => h.GetClientConfiguration = () => k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeConfig));
                        }
                    });
                }
            }
            else
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            }
        });
        return builder;
    }

    /// <summary>
    /// Wraps Orleans' Redis membership table in <see cref="RecoveringMembershipTable"/>, both on one connection to Redis.
    /// </summary>
    internal static IServiceCollection AddRedisMembershipRecovery(this IServiceCollection services)
    {
        services.AddSingleton<RedisMembershipConnection>();
        services.AddOptions<RedisClusteringOptions>().Configure<RedisMembershipConnection>((o, connection) => o.CreateMultiplexer = connection.ConnectAsync);
        var redisTable = services.LastOrDefault(d => d.ServiceType == typeof(IMembershipTable) && d.ImplementationFactory is not null)
            ?? throw new InvalidOperationException("Orleans' Redis clustering registered no membership table.");
        services.Remove(redisTable);
        services.AddSingleton<IMembershipTable>(sp =>
            ActivatorUtilities.CreateInstance<RecoveringMembershipTable>(sp, (IMembershipTable)redisTable.ImplementationFactory!(sp)));
        return services;
    }

    private static IPAddress AdvertisedAddress(SiloClusterOptions options)
    {
        if (IPAddress.TryParse(options.AdvertisedIP, out var configured)) return configured;
        if (!options.IsRedis) return IPAddress.Loopback;
        if (IPAddress.TryParse(Environment.GetEnvironmentVariable("POD_IP"), out var pod)) return pod;
        // A Redis on loopback is shared only by processes on this machine, so every silo of the cluster runs here.
        if (RedisIsLoopback(options.Redis)) return IPAddress.Loopback;
        return NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Loopback;
    }

    internal static bool RedisIsLoopback(string connectionString)
    {
        var endpoints = ConfigurationOptions.Parse(connectionString).EndPoints;
        return endpoints.Count > 0 && endpoints.All(e => e switch
        {
            IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
            DnsEndPoint dns => string.Equals(dns.Host, "localhost", StringComparison.OrdinalIgnoreCase),
            _ => false,
        });
    }
}
