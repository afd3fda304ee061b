using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Cors;

/// <summary>
/// BinderHub's <c>cors_allow_origin</c> (<c>Binder:CorsAllowOrigin</c>): pages on other origins (thebe, Jupyter Book, MyST)
/// may read <c>/build</c>, <c>/api/*</c>, <c>/health</c> and <c>/versions</c>. Like BinderHub, every response there carries
/// the configured <c>Access-Control-Allow-Origin</c> and <c>Access-Control-Allow-Headers: cache-control</c> (EventSource
/// polyfills send Cache-Control), whatever the request's Origin; <c>OPTIONS</c> answers the preflight with 204.
/// </summary>
internal static class BinderCors
{
    public const string AllowedHeaders = "cache-control";
    public const string AllowedMethods = "GET, HEAD, OPTIONS";

    /// <summary>Paths that get the headers (below <c>Binder:BaseUrl</c>).</summary>
    public static bool AppliesTo(PathString path) =>
        path.StartsWithSegments("/build") || path.StartsWithSegments("/api")
        || path.StartsWithSegments("/health") || path.StartsWithSegments("/versions");

    public static WebApplication UseBinderCors(this WebApplication app)
    {
        var origin = app.Services.GetRequiredService<IOptions<SiteOptions>>().Value.CorsAllowOrigin;
        if (origin.Length == 0) return app;
        app.Use((context, next) =>
        {
            if (!AppliesTo(context.Request.Path)) return next(context);
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowHeaders = AllowedHeaders;
            if (!HttpMethods.IsOptions(context.Request.Method)) return next(context);
            headers.AccessControlAllowMethods = AllowedMethods;
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        return app;
    }
}
