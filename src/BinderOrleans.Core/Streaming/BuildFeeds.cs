using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Streaming;

/// <summary>
/// This silo's followers of builds, one per build however many sessions and clients here read it (Orleans' GPSTracker
/// idiom: one cross-silo subscriber per host, batches on the wire, the fan-out in process). Each feed makes one
/// batched <see cref="IBuildGrain.WatchBatchesAsync"/> call into a local <see cref="FeedLog"/>, resumes it when the
/// build's silo goes away, and follows the build into its next run. A feed is counted by its readers: it closes at the
/// build's end, or <see cref="Linger"/> after its last reader left.
/// </summary>
public sealed partial class BuildFeeds
{
    /// <summary>How long a feed nobody reads keeps following its build, for the next reader (a reconnect, a new session).</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly Dictionary<string, BuildFeed> _feeds = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ILogger _logger;

    public BuildFeeds(IGrainFactory grains, TimeProvider time, IOptions<BuildOptions> options, ILogger<BuildFeeds> logger)
    {
        _grains = grains;
        _time = time;
        // A notice may stand in for the dropped lines and the end must always fit: the build log's own bound and a margin.
        _capacity = options.Value.MaxLogEvents + 16;
        _logger = logger;
    }

    /// <summary>Feeds open on this silo (diagnostics, tests).</summary>
    public int Count { get { lock (_gate) { return _feeds.Count; } } }

    /// <summary>
    /// A reader of the build of <paramref name="request"/> on this silo, opening its feed if there is none. Dispose it when
    /// done: the feed closes after the last reader.
    /// </summary>
    /// <param name="generation">
    /// Null: the build as a new request sees it (a feed whose build has ended is not joined; a new one asks the build
    /// again). A generation: the feed that has that run's log, or a new one asking the build for it.
    /// </param>
    public BuildFeedReader Open(BuildRequest request, string? generation = null)
    {
        lock (_gate)
        {
            if (!_feeds.TryGetValue(request.ImageName, out var feed) || !feed.CanServe(generation))
            {
                feed = new BuildFeed(this, request, generation, _capacity);
                _feeds[request.ImageName] = feed;
                LogFeedOpened(request.ImageName, _feeds.Count);
                feed.Start();
            }
            feed.Readers++;
            feed.StopLinger();
            return new BuildFeedReader(this, feed, generation);
        }
    }

    /// <summary>A reader of the feed that holds run <paramref name="generation"/> of the build here, or null when none does (nothing is opened).</summary>
    public BuildFeedReader? TryOpen(BuildRequest request, string generation)
    {
        lock (_gate)
        {
            if (!_feeds.TryGetValue(request.ImageName, out var feed) || feed.Find(generation) is null) return null;
            feed.Readers++;
            feed.StopLinger();
            return new BuildFeedReader(this, feed, generation);
        }
    }

    internal IGrainFactory Grains => _grains;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    internal void Release(BuildFeed feed)
    {
        lock (_gate)
        {
            if (--feed.Readers > 0) return;
            if (feed.IsFinished) Remove(feed);
            else feed.StartLinger(Linger);
        }
    }

    /// <summary>The feed's build ended (or could not be reached): new readers get a new feed; the log stays with its readers.</summary>
    internal void Finished(BuildFeed feed)
    {
        lock (_gate)
        {
            if (feed.Readers == 0) Remove(feed);
        }
    }

    internal void LingerOver(BuildFeed feed)
    {
        lock (_gate)
        {
            if (feed.Readers > 0) return;
            Remove(feed);
        }
        feed.Stop();
    }

    private void Remove(BuildFeed feed)
    {
        if (_feeds.TryGetValue(feed.Image, out var current) && ReferenceEquals(current, feed)) _feeds.Remove(feed.Image);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Feed of build {Image} opened on this silo ({Feeds} open)")]
    private partial void LogFeedOpened(string image, int feeds);
}
