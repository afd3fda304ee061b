using System.Runtime.CompilerServices;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Server.Build;
using Microsoft.AspNetCore.SignalR;

namespace BinderOrleans.Server.Hubs;

/// <summary>
/// SignalR twin of <c>/build/{provider}/{spec}</c>: <see cref="Build"/> streams exactly the events of the SSE
/// endpoint (same grains, same JSON, same admission: a <c>build_token</c> in the connection URL's query, else the
/// per-IP rate limit). Each call is its own launch session; calls for the same image share one build.
/// </summary>
internal sealed partial class BuildHub(BuildStreams streams, ILogger<BuildHub> logger) : Hub
{
    /// <summary>The hub method name clients stream from.</summary>
    public const string BuildMethod = nameof(Build);

    /// <summary>The hub method that also gives each event's id and resumes from one.</summary>
    public const string WatchMethod = nameof(Watch);

    /// <param name="provider">Provider prefix such as <c>gh</c>.</param>
    /// <param name="spec">The spec as it appears in a <c>/build</c> URL (escapes such as <c>%2F</c> kept).</param>
    /// <param name="cancellationToken">Cancelled when the client cancels the stream or disconnects.</param>
    public async IAsyncEnumerable<BinderEvent> Build(string provider, string spec, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in Watch(provider, spec, null, cancellationToken).ConfigureAwait(false))
        {
            yield return item.Event;
        }
    }

    /// <summary>
    /// <see cref="Build"/> with ids: each item carries the event's <c>{session}:{index}</c> id, the same as the SSE
    /// <c>id:</c> line. A client whose connection dropped calls this again with the last id it saw and continues the
    /// same session (on any replica) without a repeated or lost event; after the end it gets nothing.
    /// </summary>
    /// <param name="lastEventId">The last id seen, or null for a new session.</param>
    public async IAsyncEnumerable<BuildHubItem> Watch(string provider, string spec, string? lastEventId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Context.GetHttpContext() is not { } http)
        {
            yield return new BuildHubItem(null, BinderEvent.Failed("This transport carries no HTTP request; connect over WebSockets, SSE or long polling.", 400));
            yield break;
        }
        if (string.IsNullOrEmpty(provider) || spec is null)
        {
            yield return new BuildHubItem(null, BinderEvent.Failed("Malformed build request: give a provider and a spec.", 400));
            yield break;
        }

        var plan = await streams.PlanAsync(http, provider, spec, lastEventId).ConfigureAwait(false);
        if (plan is BuildStreamPlan.Refused refused)
        {
            yield return new BuildHubItem($"{BuildStreamPlan.RefusedSession}:0", refused.Event);
            yield break;
        }
        if (plan is not BuildStreamPlan.Watch watch) yield break;

        // Read now: once the connection is gone its HTTP context is disposed, and the log line below needs these.
        var client = http.Connection.RemoteIpAddress?.ToString();
        var connectionId = Context.ConnectionId;
        var finished = false;
        try
        {
            await foreach (var entry in streams.Sessions.WatchAsync(watch.Key, watch.Spec, watch.From, cancellationToken).ConfigureAwait(false))
            {
                finished = entry.Event.IsTerminal;
                yield return new BuildHubItem($"{watch.Key}:{entry.Index}", entry.Event);
                if (finished) yield break;
            }
        }
        finally
        {
            if (!finished && cancellationToken.IsCancellationRequested)
            {
                LogClientLeft(logger, provider, spec, client, connectionId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client {Ip} ({Connection}) left the hub stream for {Provider}:{Spec}")]
    private static partial void LogClientLeft(ILogger logger, string provider, string spec, string? ip, string connection);
}
