using BinderOrleans.Core.Events;
using BinderOrleans.Core.Grains;
using BinderOrleans.Core.Options;
using BinderOrleans.Server.Security;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Build;

/// <summary><c>GET /build/{provider}/{spec}</c>: BinderHub's Server-Sent Events stream.</summary>
internal static partial class BuildApi
{
    private const string RoutePrefix = "/build/";

    public static IEndpointRouteBuilder MapBuildApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/build/{provider}/{**spec}", StreamAsync).WithName("build");
        return app;
    }

    private static async Task StreamAsync(HttpContext context, LaunchGrains sessions, IOptions<SiteOptions> options,
        TimeProvider time, ILoggerFactory loggers, BuildTokens tokens, IpRateLimiter rateLimiter)
    {
        var logger = loggers.CreateLogger("BinderOrleans.Build");
        var ct = context.RequestAborted;
        var stream = new SseStream(context.Response, time);

        if (!BuildStreamRequest.AcceptsEventStream(context.Request))
        {
            await stream.StartAsync(ct).ConfigureAwait(false);
            await stream.WriteEventAsync(null, BinderEvent.Failed("Missing Accept header: text/event-stream", 400), ct).ConfigureAwait(false);
            return;
        }
        if (BuildStreamRequest.ParseTarget(context, RoutePrefix) is not var (provider, spec))
        {
            await stream.StartAsync(ct).ConfigureAwait(false);
            await stream.WriteEventAsync(null, BinderEvent.Failed("Malformed build URL: use /build/<provider>/<spec>.", 400), ct).ConfigureAwait(false);
            return;
        }

        // A reconnecting EventSource resumes its session; one that already saw the end is told to stop (204).
        ILaunchGrain? session = null;
        var from = 0;
        if (BuildStreamRequest.ParseLastEventId(context.Request) is var (sessionId, lastIndex) && sessions.Find(sessionId) is { } existing)
        {
            if (existing.Completion.IsCompleted && lastIndex + 1 >= existing.EventCount)
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            session = existing;
            from = lastIndex + 1;
            LogResumed(logger, sessionId, from);
        }
        var usedToken = false;
        if (session is null)
        {
            var security = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
            var refusal = await BuildAdmission.CheckAsync(context, provider, spec, tokens, rateLimiter, security, time).ConfigureAwait(false);
            if (refusal is { Refusal: { } failed })
            {
                await stream.StartAsync(ct).ConfigureAwait(false);
                await stream.WriteEventAsync(null, failed, ct).ConfigureAwait(false);
                return;
            }
            usedToken = refusal.UsedToken;
            session = sessions.Start(BuildStreamRequest.ToLaunchSpec(context, options.Value, provider, spec) with { UsedBuildToken = usedToken });
        }

        await stream.StartAsync(ct).ConfigureAwait(false);
        using var keepalive = stream.StartKeepalive(options.Value.KeepaliveInterval, ct);
        try
        {
            await foreach (var (index, e) in session.WatchAsync(from, ct).ConfigureAwait(false))
            {
                await stream.WriteEventAsync($"{session.Key}:{index}", e, ct).ConfigureAwait(false);
                if (!e.IsTerminal) continue;
                if (e.Phase == BinderPhase.Ready && options.Value.ReadyHoldOpen > TimeSpan.Zero)
                {
                    // binderhub-client reports a stream the server closes before it does as "Event stream closed
                    // unexpectedly", even after ready; like BinderHub, leave closing to the client (keepalives go on).
                    await Task.Delay(options.Value.ReadyHoldOpen, time, ct).ConfigureAwait(false);
                }
                break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (!session.Completion.IsCompleted) LogClientLeft(logger, provider, spec, context.Connection.RemoteIpAddress?.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {Ip} left the stream for {Provider}:{Spec}")]
    private static partial void LogClientLeft(ILogger logger, string provider, string spec, string? ip);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {Session} resumed from event {Index}")]
    private static partial void LogResumed(ILogger logger, string session, int index);
}
