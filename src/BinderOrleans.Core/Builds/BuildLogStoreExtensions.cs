using BinderOrleans.Core.Streaming;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Core.Builds;

public static partial class BuildLogStoreExtensions
{
    /// <summary>
    /// The one hookup a build needs: keeps <paramref name="history"/> plus <paramref name="end"/> (the build's last
    /// <c>built</c> or <c>failed</c> event) and returns <paramref name="end"/> carrying <c>build_log_url</c>, relative to
    /// the service's base URL. Call it before <paramref name="end"/> is published, so the URL answers as soon as anyone
    /// sees it. When the store cannot keep the log, <paramref name="end"/> comes back unchanged: a broken store must not
    /// keep a build's watchers from their last event. <paramref name="secret"/>: a private build's log, under an id nobody
    /// can guess (<see cref="BuildLogIds.New"/>).
    /// </summary>
    public static async Task<BinderEvent> KeepAsync(this IBuildLogStore store, string buildName, IReadOnlyList<BinderEvent> history,
        BinderEvent end, DateTimeOffset now, ILogger logger, bool secret, CancellationToken cancellationToken)
    {
        var id = BuildLogIds.New(buildName, now, secret);
        var linked = end with { BuildLogUrl = BuildLogIds.RelativeUrl(id) };
        try
        {
            return await store.SaveAsync(id, [.. history, linked], cancellationToken).ConfigureAwait(false) ? linked : end;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogKeepFailed(logger, ex, id);
            return end;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The build log store failed to keep {Id}")]
    private static partial void LogKeepFailed(ILogger logger, Exception exception, string id);
}
