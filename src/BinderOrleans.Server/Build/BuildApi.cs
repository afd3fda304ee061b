using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Build;

/// <summary><c>GET /build/{provider}/{spec}</c>: BinderHub's Server-Sent Events stream.</summary>
internal static partial class BuildApi
{
    private const string RoutePrefix = "/build/";

    public static IServiceCollection AddBuildStreams(this IServiceCollection services) => services.AddSingleton<BuildStreams>();

    public static IEndpointRouteBuilder MapBuildApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/build/{provider}/{**spec}", StreamAsync).WithName("build");
        return app;
    }

    private static async Task StreamAsync(HttpContext context, BuildStreams streams, IOptions<SiteOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("BinderOrleans.Build");
        var ct = context.RequestAborted;
        var stream = new SseStream(context.Response, time);

        if (!BuildStreamRequest.AcceptsEventStream(context.Request))
        {
            await RefuseAsync(stream, BinderEvent.Failed("Missing Accept header: text/event-stream", 400), ct).ConfigureAwait(false);
            return;
        }
        if (BuildStreamRequest.ParseTarget(context, RoutePrefix) is not var (provider, spec))
        {
            await RefuseAsync(stream, BinderEvent.Failed("Malformed build URL: use /build/<provider>/<spec>.", 400), ct).ConfigureAwait(false);
            return;
        }

        var lastEventId = context.Request.Headers["Last-Event-ID"].FirstOrDefault();
        switch (await streams.PlanAsync(context, provider, spec, lastEventId).ConfigureAwait(false))
        {
            case BuildStreamPlan.Finished:
                // A reconnecting EventSource that already saw the end (or a refusal) is told to stop.
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case BuildStreamPlan.Refused refused:
                await RefuseAsync(stream, refused.Event, ct).ConfigureAwait(false);
                return;
            case BuildStreamPlan.Watch watch:
                await WatchAsync(context, streams.Sessions, watch, stream, options.Value, time, logger, provider, spec).ConfigureAwait(false);
                return;
        }
    }

    private static async Task WatchAsync(HttpContext context, LaunchSessions sessions, BuildStreamPlan.Watch watch, SseStream stream, SiteOptions options,
        TimeProvider time, ILogger logger, string provider, string spec)
    {
        var ct = context.RequestAborted;
        await stream.StartAsync(ct).ConfigureAwait(false);
        using var keepalive = stream.StartKeepalive(options.KeepaliveInterval, ct);
        var finished = false;
        try
        {
            var entries = sessions.WatchAsync(watch.Key, watch.Spec, watch.From, ct).GetAsyncEnumerator(ct);
            await using var disposeEntries = entries.ConfigureAwait(false);
            var more = entries.MoveNextAsync();
            while (await more.ConfigureAwait(false))
            {
                var entry = entries.Current;
                await stream.WriteEventAsync($"{watch.Key}:{entry.Index}", entry.Event, ct, flush: false).ConfigureAwait(false);
                // Events that are already here (a replay, a batch from the session grain) go out in one flush; the
                // last one before a wait is flushed before waiting.
                more = entry.Event.IsTerminal ? ValueTask.FromResult(false) : entries.MoveNextAsync();
                if (!more.IsCompleted || entry.Event.IsTerminal) await stream.FlushAsync(ct).ConfigureAwait(false);
                if (!entry.Event.IsTerminal) continue;
                finished = true;
                if (entry.Event.Phase == BinderPhase.Ready && options.ReadyHoldOpen > TimeSpan.Zero)
                {
                    // binderhub-client reports a stream the server closes before it does as "Event stream closed
                    // unexpectedly", even after ready; like BinderHub, leave closing to the client (keepalives go on).
                    await Task.Delay(options.ReadyHoldOpen, time, ct).ConfigureAwait(false);
                }
                break;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (!finished) LogClientLeft(logger, provider, spec, context.Connection.RemoteIpAddress?.ToString());
        }
    }

    /// <summary>A refusal keeps nothing; its id tells a reconnecting EventSource there is nothing more (204).</summary>
    private static async Task RefuseAsync(SseStream stream, BinderEvent refusal, CancellationToken ct)
    {
        await stream.StartAsync(ct).ConfigureAwait(false);
        await stream.WriteEventAsync($"{BuildStreamPlan.RefusedSession}:0", refusal, ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {Ip} left the stream for {Provider}:{Spec}")]
    private static partial void LogClientLeft(ILogger logger, string provider, string spec, string? ip);
}
