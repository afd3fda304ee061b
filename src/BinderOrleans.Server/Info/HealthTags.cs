namespace BinderOrleans.Server.Info;

/// <summary>Tags of the health checks: which endpoint runs which.</summary>
internal static class HealthTags
{
    /// <summary><c>/health/live</c> (liveness probe): the process should be restarted when one fails.</summary>
    public const string Live = "live";

    /// <summary><c>/health/ready</c> and <c>/health/silo</c> (readiness probe): the replica should get traffic.</summary>
    public const string Ready = "ready";

    /// <summary><c>/health</c>: BinderHub's list of backend checks.</summary>
    public const string BinderHub = "binderhub";
}
