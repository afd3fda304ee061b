namespace BinderOrleans.Core.Streaming;

/// <summary>One reader's hold on a silo's feed of a build (<see cref="BuildFeeds.Open"/>); disposing it lets the feed close.</summary>
public sealed class BuildFeedReader : IDisposable
{
    private readonly BuildFeeds _owner;
    private readonly BuildFeed _feed;
    private readonly string? _generation;
    private int _disposed;

    internal BuildFeedReader(BuildFeeds owner, BuildFeed feed, string? generation)
    {
        _owner = owner;
        _feed = feed;
        _generation = generation;
    }

    /// <summary>
    /// The log this reader asked for, once the feed has heard from the build: the run of the asked generation, or the
    /// latest run when none was asked. Null when the build could not be reached, or has no such run any more
    /// (it started again since: the caller reads the stretch from its session instead).
    /// </summary>
    public async Task<FeedLog?> LogAsync(CancellationToken cancellationToken)
    {
        await _feed.FirstLog.WaitAsync(cancellationToken).ConfigureAwait(false);
        return _feed.Find(_generation);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _owner.Release(_feed);
    }
}
