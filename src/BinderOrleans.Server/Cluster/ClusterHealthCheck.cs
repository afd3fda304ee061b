using BinderOrleans.Core.Health;
using Orleans.Runtime;

namespace BinderOrleans.Server.Cluster;

/// <summary>
/// The <c>Orleans cluster</c> item of <c>/health</c>: this silo's membership status and how many silos are active. A
/// silo that has not joined (or was voted dead) fails it, so readiness waits for the join.
/// </summary>
internal sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IBinderHealthCheck
{
    public const string ServiceName = "Orleans cluster";

    public Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var active = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);
        return Task.FromResult(new BinderHealthResult(ServiceName, status == SiloStatus.Active, new Dictionary<string, object?>
        {
            ["silo"] = silo.SiloAddress.ToString(),
            ["status"] = status.ToString(),
            ["active_silos"] = active,
        }));
    }
}
