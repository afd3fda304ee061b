using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Options;
using BinderOrleans.JupyterHub.Auth;
using Microsoft.AspNetCore.Http.Features;

namespace BinderOrleans.Server.Build;

/// <summary>Reads provider, spec and request facts from a <c>/build/{provider}/{spec}</c> request.</summary>
internal static class BuildStreamRequest
{
    /// <summary>
    /// Provider and spec from the raw request target, so escapes such as <c>%2F</c> in a git URL survive as sent
    /// (BinderHub re-extracts from the raw path for the same reason).
    /// </summary>
    public static (string Provider, string Spec)? ParseTarget(HttpContext context, string routePrefix)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0) raw = raw[..query];
        var start = raw.IndexOf(routePrefix, StringComparison.Ordinal);
        if (start < 0) return null;
        var rest = raw[(start + routePrefix.Length)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) return null;
        return (Uri.UnescapeDataString(rest[..slash]), rest[(slash + 1)..]);
    }

    public static LaunchSpec ToLaunchSpec(HttpContext context, SiteOptions options, string provider, string spec)
    {
        var request = context.Request;
        var serviceUrl = $"{request.Scheme}://{request.Host}{WithTrailingSlash(request.PathBase.Value ?? "")}";
        var launchHost = options.BadgeBaseUrl.Length > 0 ? WithTrailingSlash(options.BadgeBaseUrl) : serviceUrl;
        var origin = request.Headers.Origin.FirstOrDefault() ?? request.Headers["Sec-Fetch-Site"].FirstOrDefault();
        return new LaunchSpec(provider, spec, context.Connection.RemoteIpAddress?.ToString() ?? "", launchHost, origin,
            BuildOnly: IsBuildOnly(request), ServiceUrl: serviceUrl, User: HubClaims.UserName(context.User));
    }

    /// <summary>BinderHub's test: the query argument <c>build_only</c> equals <c>true</c>, in any case.</summary>
    public static bool IsBuildOnly(HttpRequest request) =>
        string.Equals(request.Query["build_only"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>BinderHub splits Accept on ';' and looks for text/event-stream; we accept any list that names it.</summary>
    public static bool AcceptsEventStream(HttpRequest request) =>
        request.Headers.Accept.Any(v => v is not null && v.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>SSE ids are <c>{session}:{index}</c>; a reconnecting EventSource sends the last one back.</summary>
    public static (string Session, int Index)? ParseLastEventId(HttpRequest request) => ParseEventId(request.Headers["Last-Event-ID"].FirstOrDefault());

    /// <summary>Splits a <c>{session}:{index}</c> event id; null when it is not one.</summary>
    public static (string Session, int Index)? ParseEventId(string? value)
    {
        if (string.IsNullOrEmpty(value)) return null;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out var index) || index < 0) return null;
        return (value[..colon], index);
    }

    private static string WithTrailingSlash(string s) => s.EndsWith('/') ? s : s + "/";
}
