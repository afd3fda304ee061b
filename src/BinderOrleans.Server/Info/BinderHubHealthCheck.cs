using BinderOrleans.Core.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BinderOrleans.Server.Info;

/// <summary>
/// BinderHub's <c>/health</c> as one health check: every <see cref="IBinderHealthCheck"/> (registry, JupyterHub, Docker
/// engine, quota, cluster) through <see cref="HealthCache"/>; the items go in the result's data for
/// <see cref="HealthResponseWriters.BinderHubAsync"/>.
/// </summary>
internal sealed class BinderHubHealthCheck(HealthCache cache) : IHealthCheck
{
    public const string Name = "binderhub";

    /// <summary>The key of the items (<see cref="BinderHealthResult"/>[]) in the result's data.</summary>
    public const string ChecksKey = "checks";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var results = await cache.GetAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var ok = results.All(r => r.Ok || r.IgnoreFailure);
        var data = new Dictionary<string, object> { [ChecksKey] = results };
        return ok ? HealthCheckResult.Healthy(data: data) : HealthCheckResult.Unhealthy(data: data);
    }
}
