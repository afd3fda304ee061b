using System.Globalization;
using BinderOrleans.Core.Streaming;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Security;

internal static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddBinderSecurity(this IServiceCollection services)
    {
        services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section)
            .Validate(o => o.BuildTokenSecret.Length == 0 || IsHex(o.BuildTokenSecret), "Security:BuildTokenSecret (BINDERHUB_BUILD_TOKEN_SECRET) must be hex, e.g. from `openssl rand -hex 32`.")
            .Validate(o => o.RateLimit >= 0, "Security:RateLimit must be 0 (off) or positive.")
            .Validate(o => o.BanNetworks.Keys.All(k => System.Net.IPNetwork.TryParse(k, out _)), "Security:BanNetworks keys must be CIDRs such as 10.0.0.0/8.")
            .ValidateOnStart();
        services.AddSingleton<BuildTokens>();
        services.AddSingleton<IpRateLimiter>();
        services.AddSingleton<BannedNetworks>();
        return services;
    }

    /// <summary>Forwarded headers (when trusted) and the network ban, which spares /health and /versions as BinderHub does.</summary>
    public static WebApplication UseBinderSecurity(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.TrustForwardedHeaders)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            app.UseForwardedHeaders(forwarded);
        }
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/health") || path.StartsWithSegments("/versions")
                || context.RequestServices.GetRequiredService<BannedNetworks>().Match(context.Connection.RemoteIpAddress) is not { } label)
            {
                await next(context).ConfigureAwait(false);
                return;
            }
            var message = $"Requests from {label} are not allowed";
            if (path.StartsWithSegments("/build"))
            {
                // The event stream always answers 200 and reports errors as events (BinderHub's send_error).
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync($"data: {BinderEventJson.Serialize(BinderEvent.Failed(message, 403))}\n\n").ConfigureAwait(false);
                return;
            }
            await Results.Problem(message, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context).ConfigureAwait(false);
        });
        return app;
    }

    public static void WriteRateLimitHeaders(HttpResponse response, RateLimitDecision decision)
    {
        response.Headers["x-ratelimit-remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset"] = decision.Reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
    }

    private static bool IsHex(string s) => s.Length % 2 == 0 && s.All(char.IsAsciiHexDigit);
}
