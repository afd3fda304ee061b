using System.Runtime.CompilerServices;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Grains;
using BinderOrleans.Core.Options;
using BinderOrleans.Server.Build;
using BinderOrleans.Server.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Hubs;

/// <summary>
/// SignalR twin of <c>/build/{provider}/{spec}</c>: <see cref="Build"/> streams exactly the events of the SSE
/// endpoint (same grains, same JSON, same admission: a <c>build_token</c> in the connection URL's query, else the
/// per-IP rate limit). Each call is its own launch session; calls for the same image share one build.
/// </summary>
internal sealed partial class BuildHub(LaunchGrains sessions, IOptions<SiteOptions> options, IOptions<SecurityOptions> security,
    BuildTokens tokens, IpRateLimiter rateLimiter, TimeProvider time, ILogger<BuildHub> logger) : Hub
{
    /// <summary>The hub method name clients stream from.</summary>
    public const string BuildMethod = nameof(Build);

    /// <param name="provider">Provider prefix such as <c>gh</c>.</param>
    /// <param name="spec">The spec as it appears in a <c>/build</c> URL (escapes such as <c>%2F</c> kept).</param>
    /// <param name="cancellationToken">Cancelled when the client cancels the stream or disconnects.</param>
    public async IAsyncEnumerable<BinderEvent> Build(string provider, string spec, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Context.GetHttpContext() is not { } http)
        {
            yield return BinderEvent.Failed("This transport carries no HTTP request; connect over WebSockets, SSE or long polling.", 400);
            yield break;
        }
        if (string.IsNullOrEmpty(provider) || spec is null)
        {
            yield return BinderEvent.Failed("Malformed build request: give a provider and a spec.", 400);
            yield break;
        }

        var (refusal, usedToken) = await BuildAdmission.CheckAsync(http, provider, spec, tokens, rateLimiter, security.Value, time).ConfigureAwait(false);
        if (refusal is not null)
        {
            yield return refusal;
            yield break;
        }

        var session = sessions.Start(BuildStreamRequest.ToLaunchSpec(http, options.Value, provider, spec) with { UsedBuildToken = usedToken });
        var finished = false;
        try
        {
            await foreach (var (_, e) in session.WatchAsync(0, cancellationToken).ConfigureAwait(false))
            {
                finished = e.IsTerminal;
                yield return e;
                if (finished) yield break;
            }
        }
        finally
        {
            if (!finished && cancellationToken.IsCancellationRequested)
            {
                LogClientLeft(logger, provider, spec, http.Connection.RemoteIpAddress?.ToString(), Context.ConnectionId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {Ip} ({Connection}) left the hub stream for {Provider}:{Spec}")]
    private static partial void LogClientLeft(ILogger logger, string provider, string spec, string? ip, string connection);
}
