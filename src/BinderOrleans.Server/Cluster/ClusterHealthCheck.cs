using BinderOrleans.Core.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace BinderOrleans.Server.Cluster;

/// <summary>
/// The <c>Orleans cluster</c> item of <c>/health</c>: this silo's membership status and how many silos are active. A
/// silo that has not joined (or was voted dead) fails it, so readiness waits for the join. The same answer is the
/// <c>cluster</c> check of the readiness probe.
/// </summary>
internal sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IBinderHealthCheck, IHealthCheck
{
    public const string ServiceName = "Orleans cluster";

    public const string Name = "cluster";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await CheckAsync(cancellationToken).ConfigureAwait(false);
        var data = result.Details!.ToDictionary(d => d.Key, d => d.Value!);
        return result.Ok ? HealthCheckResult.Healthy(data: data) : HealthCheckResult.Unhealthy("This silo is not an active member of its cluster.", data: data);
    }

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
