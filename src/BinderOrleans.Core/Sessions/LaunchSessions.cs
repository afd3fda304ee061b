using System.Runtime.CompilerServices;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using Orleans.GrainDirectory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// The front ends' way to launch sessions (<c>/build</c> SSE and the SignalR hub share it): session ids, the
/// per-silo bound, and watches that survive the session's activation moving or its silo dying.
/// </summary>
public sealed partial class LaunchSessions(IGrainFactory grains, LaunchSessionTable table, SessionKeys keys, IOptions<SiteOptions> options, TimeProvider time,
    BuildFeeds feeds, ILogger<LaunchSessions> logger, [FromKeyedServices(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY)] IGrainDirectory? directory = null)
{
    private readonly SiteOptions _options = options.Value;

    /// <summary>A new session id, signed (<see cref="SessionKeys"/>).</summary>
    public string NewKey() => keys.NewKey();

    /// <summary>A new session id for <paramref name="owner"/> (a logged-in hub user; null = anonymous).</summary>
    public string NewKey(string? owner) => keys.NewKey(owner);

    /// <summary>Whether a session id of ours was issued to <paramref name="user"/> (null: to an anonymous client).</summary>
    public bool IsOwnedBy(string key, string? user) => keys.IsOwnedBy(key, user);

    /// <summary>Whether a session id is one this cluster issued. Anything else in a Last-Event-ID is a new request.</summary>
    public bool IsValidKey(string key) => keys.IsOurs(key);

    /// <summary>
    /// Whether the session has an activation anywhere in the cluster, asked of the grain directory so that nothing is
    /// activated for a session that nobody runs. Null when this process has no directory to ask (a client only).
    /// </summary>
    public async Task<bool?> IsActiveAnywhereAsync(string key)
    {
        if (directory is null) return null;
        return await directory.Lookup(grains.GetGrain<ILaunchGrain>(key).GetGrainId()).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Makes room for a session on this silo: evicts the oldest finished sessions when at <c>Binder:MaxSessions</c>.
    /// </summary>
    /// <returns>Null when admitted; a <c>failed</c> event (503) when every session here is still running.</returns>
    public BinderEvent? Admit()
    {
        var evict = table.MakeRoom(_options.MaxSessions);
        if (evict is null)
        {
            LogFull(_options.MaxSessions);
            return BinderEvent.Failed($"This server is running its limit of {_options.MaxSessions} launch sessions. Please try again in a minute.", 503);
        }
        foreach (var key in evict) _ = EvictAsync(key);
        return null;
    }

    public Task<SessionState> GetStateAsync(string key) => grains.GetGrain<ILaunchGrain>(key).GetStateAsync().AsTask();

    /// <summary>
    /// The session's events from <paramref name="fromIndex"/>, one by one (<see cref="WatchSlicesAsync"/>).
    /// </summary>
    public async IAsyncEnumerable<SessionEntry> WatchAsync(string key, LaunchSpec spec, int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var slice in WatchSlicesAsync(key, spec, fromIndex, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < slice.Events.Length; i++) yield return new SessionEntry(slice.Index + i, slice.Events.Span[i]);
        }
    }

    /// <summary>
    /// The session's events from <paramref name="fromIndex"/>, starting it from <paramref name="spec"/> if it is not
    /// running anywhere, in slices of everything at hand. The session's own events come from its grain; a stretch that is
    /// its build's log comes from this silo's <see cref="BuildFeeds"/> (one watch of the build per silo, however many
    /// clients), while the session's watch waits for what follows it. A watch aborted because the session's silo went
    /// away resumes from the next event (the session restarts on a live silo if it has to); after
    /// <see cref="GrainWatch.MaxResumes"/> resumes in a row with no event between them the stream ends with a
    /// <c>failed</c> event saying so. Ends after the terminal event.
    /// </summary>
    public async IAsyncEnumerable<SessionSlice> WatchSlicesAsync(string key, LaunchSpec spec, int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<ILaunchGrain>(key);
        var next = fromIndex;
        var budget = new ResumeBudget();
        // Set when this silo cannot give a build stretch (its run of the build is gone here): the session sends it.
        var expand = false;
        for (var attempt = 1; ; attempt++)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var stream = grain.WatchBatchesAsync(spec, next, expand, stop.Token).GetAsyncEnumerator(stop.Token);
            Task<bool>? pending = null;
            Exception? lost = null;
            try
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = pending is not null ? await pending.ConfigureAwait(false) : await stream.MoveNextAsync().ConfigureAwait(false);
                        pending = null;
                    }
                    catch (Exception ex) when (GrainWatch.IsLostWatch(ex) && !cancellationToken.IsCancellationRequested)
                    {
                        pending = null;
                        lost = ex;
                        break;
                    }
                    if (!more) yield break;
                    var batch = stream.Current;
                    if (batch.Index > next)
                    {
                        // This front end read less of a lost run of the build than the session holds: the session sends
                        // the rest. (A session restarted further on than this client numbers on from there.)
                        if (!expand)
                        {
                            expand = true;
                            break;
                        }
                        next = batch.Index;
                    }
                    if (batch.Build is not { } build)
                    {
                        var skip = next - batch.Index;
                        if (skip >= batch.Events.Length) continue;
                        var slice = new SessionSlice(next, batch.Events.AsMemory(skip));
                        next = batch.Index + batch.Events.Length;
                        budget.Progress();
                        yield return slice;
                        if (slice.IsEnd) yield break;
                        continue;
                    }

                    // A build stretch: its lines come from this silo's feed while the session's watch stays open for what
                    // follows (a session nobody watches gives up, and its next batch waits there).
                    var offset = next - batch.Index;
                    if (build.Count is { } count && offset >= count) continue;
                    pending = stream.MoveNextAsync().AsTask();
                    using var reader = build.Count is null ? feeds.Open(build.Request, build.Generation) : feeds.TryOpen(build.Request, build.Generation);
                    var log = reader is null ? null : await reader.LogAsync(cancellationToken).ConfigureAwait(false);
                    if (log is null)
                    {
                        expand = true;
                        break;
                    }
                    var position = build.FromIndex + offset;
                    var limit = build.Count is { } c ? build.FromIndex + c : int.MaxValue;
                    await using var lines = log.Events.ReadBatchesAsync(position, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    while (position < limit)
                    {
                        try
                        {
                            if (!await lines.MoveNextAsync().ConfigureAwait(false)) break;
                        }
                        catch (BuildRunLostException)
                        {
                            // The session follows the build into its next run and says so; it goes on from here.
                            break;
                        }
                        var events = lines.Current;
                        var end = FeedLog.IndexOfEnd(events.Span);
                        var take = Math.Min(end >= 0 ? end : events.Length, limit - position);
                        if (take > 0)
                        {
                            var slice = new SessionSlice(next, events[..take]);
                            next += take;
                            position += take;
                            budget.Progress();
                            yield return slice;
                        }
                        if (end >= 0) break;
                    }
                }
            }
            finally
            {
                stop.Cancel();
                if (pending is null) await DisposeQuietlyAsync(stream).ConfigureAwait(false);
                else _ = CloseAfterAsync(pending, stream);
                stop.Dispose();
            }

            if (lost is null)
            {
                // Watching again from where the client is, with the session sending its build stretch itself.
                continue;
            }
            LogWatchLost(lost, key, next, attempt);
            if (budget.Lost() is not { } delay)
            {
                yield return new SessionSlice(next, new[] { BinderEvent.Failed("The server running this session was lost and the session could not be resumed. Please try again.", 503) });
                yield break;
            }
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A watch left with its next call in flight (the client went, or it is watched again): closed once that call returns.</summary>
    private static async Task CloseAfterAsync(Task<bool> pending, IAsyncEnumerator<SessionBatch> stream)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Whatever the abandoned call ended with, nobody waits for it: the watch is only closed.
        }
        await DisposeQuietlyAsync(stream).ConfigureAwait(false);
    }

    private async Task EvictAsync(string key)
    {
        try
        {
            await grains.GetGrain<ILaunchGrain>(key).EvictAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogEvictFailed(ex, key);
        }
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<SessionBatch> stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (GrainWatch.IsLostWatch(ex) || ex is OperationCanceledException)
        {
            // The remote enumerator is already gone.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Launch sessions at the limit of {Max}: refusing a new one")]
    private partial void LogFull(int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of session {Session} lost at event {Index} (try {Attempt}); resuming")]
    private partial void LogWatchLost(Exception? exception, string session, int index, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evicting finished session {Session} failed")]
    private partial void LogEvictFailed(Exception exception, string session);
}
