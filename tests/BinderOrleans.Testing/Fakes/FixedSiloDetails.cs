namespace BinderOrleans.Testing.Fakes;

/// <summary>A silo's own details, fixed: its address (what it advertises) and cluster, for services that read them without a silo.</summary>
public sealed class FixedSiloDetails(SiloAddress address, string clusterId = "test") : ILocalSiloDetails
{
    public string Name => "silo-" + address.Endpoint.Port;
    public string ClusterId => clusterId;
    public string DnsHostName => "localhost";
    public SiloAddress SiloAddress => address;
    public SiloAddress GatewayAddress => address;
}
