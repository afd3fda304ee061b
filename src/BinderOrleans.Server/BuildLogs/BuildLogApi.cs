using BinderOrleans.Core.Builds;

namespace BinderOrleans.Server.BuildLogs;

/// <summary><c>GET /api/buildlogs/{id}</c>: a finished build's whole log as text, the link in its last event's <c>build_log_url</c>.</summary>
internal static class BuildLogApi
{
    /// <param name="policy">Authorization policy a reader needs (<c>Binder:AuthEnabled</c>); null = anyone.</param>
    public static IEndpointRouteBuilder MapBuildLogApi(this IEndpointRouteBuilder app, string? policy = null)
    {
        var endpoint = app.MapMethods("/" + BuildLogIds.RelativeUrlPrefix + "{id}", ["GET", "HEAD"], GetAsync).WithName("build-log");
        if (policy is not null) endpoint.RequireAuthorization(policy);
        return app;
    }

    private static async Task<IResult> GetAsync(string id, IBuildLogStore store, HttpContext context)
    {
        if (await store.OpenReadAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } log)
        {
            return Results.Problem($"No build log {id}: it never existed, or it is older than Build:LogRetention or was pushed out by Build:LogStoreLimit.",
                statusCode: StatusCodes.Status404NotFound);
        }
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(log, "text/plain; charset=utf-8");
    }
}
