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

    /// <summary>How soon a client told to reconnect (by a draining replica) comes back.</summary>
    internal static readonly TimeSpan DrainRetry = TimeSpan.FromSeconds(1);

    private static async Task StreamAsync(HttpContext context, BuildStreams streams, IOptions<SiteOptions> options, TimeProvider time,
        IHostApplicationLifetime lifetime, ILoggerFactory loggers)
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
            case BuildStreamPlan.Draining { Resume: false }:
                // Before any byte of the stream: a load balancer may retry the request on another replica.
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return;
            case BuildStreamPlan.Draining { Resume: true }:
                // The EventSource reconnects with its last id, which readiness now sends to another replica.
                await stream.StartAsync(ct).ConfigureAwait(false);
                await stream.WriteRetryAsync(DrainRetry, ct).ConfigureAwait(false);
                return;
            case BuildStreamPlan.Watch watch:
                await WatchAsync(context, streams, watch, stream, options.Value, time, lifetime, logger, provider, spec).ConfigureAwait(false);
                return;
        }
    }

    private static async Task WatchAsync(HttpContext context, BuildStreams streams, BuildStreamPlan.Watch watch, SseStream stream, SiteOptions options,
        TimeProvider time, IHostApplicationLifetime lifetime, ILogger logger, string provider, string spec)
    {
        var sessions = streams.Sessions;
        // The stream also ends when this replica's drain is over: without an end event, so the client reconnects with
        // its last id and follows the session on another replica.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, streams.Drain.Drained);
        var ct = cts.Token;
        await stream.StartAsync(ct).ConfigureAwait(false);
        using var keepalive = stream.StartKeepalive(options.KeepaliveInterval, ct);
        var finished = false;
        try
        {
            var idPrefix = SseStream.IdPrefix(watch.Key);
            var slices = sessions.WatchSlicesAsync(watch.Key, watch.Spec, watch.From, ct).GetAsyncEnumerator(ct);
            await using var disposeSlices = slices.ConfigureAwait(false);
            var more = slices.MoveNextAsync();
            while (await more.ConfigureAwait(false))
            {
                var slice = slices.Current;
                var end = slice.IsEnd;
                await stream.WriteSliceAsync(idPrefix, slice, flush: false, ct).ConfigureAwait(false);
                // Events that are already here (a replay, the next batch) go out in one flush; the last ones before a
                // wait are flushed before waiting.
                more = end ? ValueTask.FromResult(false) : slices.MoveNextAsync();
                if (!more.IsCompleted || end) await stream.FlushAsync(ct).ConfigureAwait(false);
                if (!end) continue;
                var last = slice.Events.Span[^1];
                finished = true;
                if (last.Phase == BinderPhase.Ready && options.ReadyHoldOpen > TimeSpan.Zero)
                {
                    // binderhub-client reports a stream the server closes before it does as "Event stream closed
                    // unexpectedly", even after ready; like BinderHub, leave closing to the client (keepalives go on),
                    // but not past the start of the host's shutdown: a held stream must not keep a stopping replica.
                    using var hold = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
                    try
                    {
                        await Task.Delay(options.ReadyHoldOpen, time, hold.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                    }
                }
                break;
            }
        }
        catch (OperationCanceledException) when (streams.Drain.Drained.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            if (!finished) LogHandedOver(logger, watch.Key);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain over: stream of session {Session} closed so its client resumes on another replica")]
    private static partial void LogHandedOver(ILogger logger, string session);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {Ip} left the stream for {Provider}:{Spec}")]
    private static partial void LogClientLeft(ILogger logger, string provider, string spec, string? ip);
}
