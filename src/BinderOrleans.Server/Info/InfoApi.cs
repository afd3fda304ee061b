using System.Reflection;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Options;
using Prometheus;

namespace BinderOrleans.Server.Info;

/// <summary><c>/versions</c>, <c>/health</c>, <c>/metrics</c>, <c>/api/repoproviders</c>.</summary>
internal static class InfoApi
{
    public static string Version { get; } =
        typeof(InfoApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IServiceCollection AddInfoApi(this IServiceCollection services) => services.AddHealthApi();

    public static IEndpointRouteBuilder MapInfoApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/versions", (HttpContext context, IOptions<BuildOptions> build, IOptions<SiteOptions> site, BackendSelection backends) =>
        {
            // Open to every origin (federation members compare versions), unless Binder:CorsAllowOrigin says otherwise.
            if (site.Value.CorsAllowOrigin.Length == 0) context.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Json(new JsonObject
            {
                ["builder_info"] = new JsonObject { ["build_image"] = build.Value.BaseImage, ["backend"] = BackendSelection.NameOf(backends.Build) },
                ["binderhub"] = Version,
                ["builder"] = build.Value.BaseImage,
            });
        });
        app.MapHealthApi();
        // prometheus-net's exporter: text format 0.0.4 (BinderHub's), OpenMetrics when a scraper asks for it.
        var metrics = app.ServiceProvider.GetRequiredService<PrometheusRegistry>();
        app.MapMetrics(settings => settings.Registry = metrics.Collectors, "/metrics");
        app.MapGet("/api/repoproviders", (RepoProviderRegistry providers) => Results.Json(providers.Listed.Select(p => p.DisplayConfig)));
        return app;
    }
}
