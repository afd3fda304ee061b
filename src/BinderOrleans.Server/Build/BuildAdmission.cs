using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers;
using BinderOrleans.JupyterHub.Auth;
using BinderOrleans.Server.Security;

namespace BinderOrleans.Server.Build;

/// <summary>
/// Who may start a launch, for both entrances (<c>/build</c> and the SignalR hub): BinderHub's order — a build
/// token (query <c>build_token</c>), if given, must be valid; without one, the per-IP rate limit applies. Then the
/// provider must exist (404) and the spec pass its syntactic check and spec rules (400, 403): refused requests are
/// answered here, before a launch session exists, and no process or network call happens for them.
/// </summary>
internal static class BuildAdmission
{
    /// <returns>A <c>failed</c> event when refused; whether a valid token admitted the request.</returns>
    public static async Task<(BinderEvent? Refusal, bool UsedToken)> CheckAsync(HttpContext context, string provider, string spec,
        BuildTokens tokens, IpRateLimiter rateLimiter, SecurityOptions security, TimeProvider time)
    {
        var (refusal, usedToken) = await CheckCallerAsync(context, provider, spec, tokens, rateLimiter, security, time).ConfigureAwait(false);
        if (refusal is not null) return (refusal, usedToken);
        return (CheckSpec(context.RequestServices.GetRequiredService<RepoProviderRegistry>(), provider, spec), usedToken);
    }

    /// <summary>
    /// BinderHub's steps 4–6 (unknown prefix, the provider's constructor, <c>is_banned()</c>), with the same messages the
    /// launch itself would give, so refusing early changes no answer.
    /// </summary>
    internal static BinderEvent? CheckSpec(RepoProviderRegistry providers, string providerId, string spec)
    {
        if (providers.Find(providerId) is not { } provider) return BinderEvent.Failed($"No provider found for prefix {providerId}", 404);
        var trimmed = spec.TrimEnd('/');
        if (trimmed.Length == 0) return BinderEvent.Failed($"No repository given: use /build/{providerId}/<spec>.", 400);
        return provider.CheckSpec(trimmed) is { } failed ? BinderEvent.Failed(failed.Message, failed.StatusCode) : null;
    }

    private static async Task<(BinderEvent? Refusal, bool UsedToken)> CheckCallerAsync(HttpContext context, string provider, string spec,
        BuildTokens tokens, IpRateLimiter rateLimiter, SecurityOptions security, TimeProvider time)
    {
        var token = context.Request.Query["build_token"].FirstOrDefault();
        if (!string.IsNullOrEmpty(token))
        {
            var check = await tokens.ValidateAsync(token, provider, spec, BuildTokens.RequestOrigin(context.Request)).ConfigureAwait(false);
            if (check == BuildTokenCheck.Invalid) return (BinderEvent.Failed("Invalid build token", 403), false);
            if (check == BuildTokenCheck.WrongOrigin && security.BuildTokenCheckOrigin) return (BinderEvent.Failed("Invalid build token: it was issued for another origin", 403), false);
            return (null, true);
        }
        // As BinderHub: a logged-in user is not rate limited per address.
        if (rateLimiter.Limit == 0 || HubClaims.UserName(context.User) is not null) return (null, false);
        var decision = rateLimiter.Increment(context.Connection.RemoteIpAddress?.ToString() ?? "");
        // A hub connection's response (the WebSocket upgrade) has already started: no headers to add there.
        if (!context.Response.HasStarted) SecurityServiceCollectionExtensions.WriteRateLimitHeaders(context.Response, decision);
        if (decision.Allowed) return (null, false);
        var seconds = Math.Max(1, (long)Math.Ceiling((decision.Reset - time.GetUtcNow()).TotalSeconds));
        return (BinderEvent.Failed($"Rate limit exceeded. Try again in {seconds} seconds.", 429), false);
    }
}
