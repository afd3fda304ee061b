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
    ILogger<LaunchSessions> logger, [FromKeyedServices(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY)] IGrainDirectory? directory = null)
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
    /// The session's events from <paramref name="fromIndex"/>, starting it from <paramref name="spec"/> if it is not
    /// running anywhere. A watch aborted because the session's silo went away resumes from the next event (the
    /// session restarts on a live silo if it has to); after <see cref="GrainWatch.MaxResumes"/> resumes in a row with no
    /// event between them the stream ends with a <c>failed</c> event saying so. Ends after the terminal event.
    /// </summary>
    public async IAsyncEnumerable<SessionEntry> WatchAsync(string key, LaunchSpec spec, int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<ILaunchGrain>(key);
        var next = fromIndex;
        var budget = new ResumeBudget();
        for (var attempt = 1; ; attempt++)
        {
            var stream = grain.WatchAsync(spec, next, cancellationToken).GetAsyncEnumerator(cancellationToken);
            Exception? lost = null;
            try
            {
                while (true)
                {
                    SessionEntry entry;
                    try
                    {
                        if (!await stream.MoveNextAsync().ConfigureAwait(false)) yield break;
                        entry = stream.Current;
                    }
                    catch (Exception ex) when (GrainWatch.IsLostWatch(ex) && !cancellationToken.IsCancellationRequested)
                    {
                        lost = ex;
                        break;
                    }
                    next = entry.Index + 1;
                    budget.Progress();
                    yield return entry;
                    if (entry.Event.IsTerminal) yield break;
                }
            }
            finally
            {
                await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            }

            LogWatchLost(lost, key, next, attempt);
            if (budget.Lost() is not { } delay)
            {
                yield return new SessionEntry(next, BinderEvent.Failed("The server running this session was lost and the session could not be resumed. Please try again.", 503));
                yield break;
            }
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
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

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<SessionEntry> stream)
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
