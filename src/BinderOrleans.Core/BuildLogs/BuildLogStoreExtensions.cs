using BinderOrleans.Core.Events;

namespace BinderOrleans.Core.BuildLogs;

public static class BuildLogStoreExtensions
{
    /// <summary>
    /// The one hookup a build needs: keeps <paramref name="history"/> plus <paramref name="end"/> (the build's last
    /// <c>built</c> or <c>failed</c> event) and returns <paramref name="end"/> carrying <c>build_log_url</c>, relative to
    /// the service's base URL. Call it before <paramref name="end"/> is published, so the URL answers as soon as anyone
    /// sees it. When the store cannot keep the log, <paramref name="end"/> comes back unchanged.
    /// </summary>
    public static async Task<BinderEvent> KeepAsync(this IBuildLogStore store, string buildName, IReadOnlyList<BinderEvent> history,
        BinderEvent end, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = BuildLogIds.New(buildName, now);
        var linked = end with { BuildLogUrl = BuildLogIds.RelativeUrl(id) };
        return await store.SaveAsync(id, [.. history, linked], cancellationToken).ConfigureAwait(false) ? linked : end;
    }
}
