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

    /// <summary>
    /// The image that builds: the build pod's repo2docker image (<c>Kubernetes:BuildImage</c>), the local repo2docker
    /// image (<c>Build:Builder=repo2docker</c>, <c>Build:Repo2DockerImage</c>), or this service's own buildpacks.
    /// </summary>
    internal static string BuildImage(IConfiguration configuration, BackendSelection backends)
    {
        if (backends.Build == BuildBackend.Kubernetes)
        {
            return configuration["Kubernetes:BuildImage"] is { Length: > 0 } podImage ? podImage : Kubernetes.KubernetesOptions.DefaultBuildImage;
        }
        if (string.Equals(configuration[$"{BuildOptions.Section}:{nameof(BuildOptions.Builder)}"], BuildOptions.Repo2DockerBuilder, StringComparison.OrdinalIgnoreCase))
        {
            return configuration[$"{BuildOptions.Section}:{nameof(BuildOptions.Repo2DockerImage)}"] is { Length: > 0 } image ? image : BuildOptions.DefaultRepo2DockerImage;
        }
        return $"binderorleans-buildpacks:{Version}";
    }

    public static IServiceCollection AddInfoApi(this IServiceCollection services) => services.AddHealthApi();

    public static IEndpointRouteBuilder MapInfoApi(this IEndpointRouteBuilder app)
    {
        var buildImage = BuildImage(app.ServiceProvider.GetRequiredService<IConfiguration>(), app.ServiceProvider.GetRequiredService<BackendSelection>());
        app.MapGet("/versions", (HttpContext context, IOptions<SiteOptions> site) =>
        {
            // Open to every origin (federation members compare versions), unless Binder:CorsAllowOrigin says otherwise.
            if (site.Value.CorsAllowOrigin.Length == 0) context.Response.Headers.AccessControlAllowOrigin = "*";
            // BinderHub's shape exactly: builder_info names the image that builds, and builder repeats it.
            return Results.Json(new JsonObject
            {
                ["builder_info"] = new JsonObject { ["build_image"] = buildImage },
                ["binderhub"] = Version,
                ["builder"] = buildImage,
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
