using BinderOrleans.Core.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BinderOrleans.Server.Info;

/// <summary>Readiness fails from the moment the replica starts draining (SIGTERM): it takes no new sessions.</summary>
internal sealed class DrainHealthCheck(DrainState drain) : IHealthCheck
{
    public const string Name = "drain";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["draining"] = drain.IsDraining, ["running"] = drain.Running };
        return Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("Draining: this replica is shutting down and takes no new sessions.", data: data)
            : HealthCheckResult.Healthy(data: data));
    }
}
