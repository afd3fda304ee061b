using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BinderOrleans.Server.Info;

/// <summary>
/// Health on <c>Microsoft.Extensions.Diagnostics.HealthChecks</c>: BinderHub's <c>/health</c> (its JSON as the response
/// writer), <c>/health/live</c> for a liveness probe, <c>/health/ready</c> (and <c>/health/silo</c>, its older name) for
/// the readiness probe: this silo is an active cluster member and the replica is not draining.
/// </summary>
internal static class HealthApi
{
    public static IServiceCollection AddHealthApi(this IServiceCollection services)
    {
        services.AddSingleton<HealthCache>();
        services.AddHealthChecks()
            .AddCheck<BinderHubHealthCheck>(BinderHubHealthCheck.Name, tags: [HealthTags.BinderHub])
            .AddCheck<DrainHealthCheck>(DrainHealthCheck.Name, tags: [HealthTags.Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        MapHealth(app, "/health", HealthTags.BinderHub, HealthResponseWriters.BinderHubAsync);
        MapHealth(app, "/health/live", HealthTags.Live, HealthResponseWriters.ProbeAsync);
        MapHealth(app, "/health/ready", HealthTags.Ready, HealthResponseWriters.ProbeAsync);
        MapHealth(app, "/health/silo", HealthTags.Ready, HealthResponseWriters.ProbeAsync);
        return app;
    }

    private static void MapHealth(IEndpointRouteBuilder app, string path, string tag, Func<HttpContext, HealthReport, Task> writer)
    {
        var options = new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(tag),
            ResponseWriter = writer,
            // The body says ok; a probe (and BinderHub's clients) read the status code, which caches must not keep.
            AllowCachingResponses = false,
        };
        // GET and HEAD only, as BinderHub answers /health.
        app.MapHealthChecks(path, options).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
    }
}
