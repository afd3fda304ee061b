using BinderOrleans.Core.Builds;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Core.Streaming;

/// <summary>
/// One silo's follower of one build (<see cref="BuildFeeds"/>): a batched watch of the build grain into
/// <see cref="FeedLog"/>s, one per run. A watch Orleans aborts (the build's silo went away, an enumerator expired) is
/// taken up from the next index; when the build answers with a new run, the old run's log ends as lost and points at
/// the new one. Reader counts are kept by <see cref="BuildFeeds"/> under its lock.
/// </summary>
internal sealed partial class BuildFeed
{
    private readonly BuildFeeds _owner;
    private readonly ILogger _logger;
    private readonly BuildRequest _request;
    private readonly string? _askedGeneration;
    private readonly int _capacity;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstLog = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<FeedLog> _logs = [];
    private ITimer? _linger;
    private volatile bool _finished;

    public BuildFeed(BuildFeeds owner, BuildRequest request, string? generation, int capacity)
    {
        _owner = owner;
        _logger = owner.Logger;
        _request = request;
        _askedGeneration = generation;
        _capacity = capacity;
    }

    public string Image => _request.ImageName;

    /// <summary>Readers holding the feed; changed by <see cref="BuildFeeds"/> under its lock.</summary>
    public int Readers { get; set; }

    /// <summary>The build's log ended here (or the build could not be reached): nothing more will come.</summary>
    public bool IsFinished => _finished;

    /// <summary>Completes once the feed has a log (or gave up before it had one).</summary>
    public Task FirstLog => _firstLog.Task;

    /// <summary>Whether a reader asking for <paramref name="generation"/> gets what it wants from this feed.</summary>
    public bool CanServe(string? generation)
    {
        if (_stop.IsCancellationRequested) return false;
        if (generation is null) return !_finished;
        lock (_logs)
        {
            if (_logs.Count == 0) return !_finished && _askedGeneration == generation;
            return _logs.Exists(l => l.Generation == generation);
        }
    }

    public FeedLog? Find(string? generation)
    {
        lock (_logs)
        {
            if (_logs.Count == 0) return null;
            return generation is null ? _logs[^1] : _logs.Find(l => l.Generation == generation);
        }
    }

    public void Start() => _ = Task.Run(PumpAsync);

    public void Stop()
    {
        _stop.Cancel();
        StopLinger();
    }

    public void StartLinger(TimeSpan linger)
    {
        _linger?.Dispose();
        _linger = _owner.Time.CreateTimer(_ => _owner.LingerOver(this), null, linger, Timeout.InfiniteTimeSpan);
    }

    public void StopLinger()
    {
        _linger?.Dispose();
        _linger = null;
    }

    private async Task PumpAsync()
    {
        var grain = _owner.Grains.GetGrain<IBuildGrain>(_request.ImageName);
        var ct = _stop.Token;
        var next = 0;
        var generation = _askedGeneration;
        FeedLog? current = null;
        var budget = new ResumeBudget();
        try
        {
            while (true)
            {
                try
                {
                    await foreach (var batch in grain.WatchBatchesAsync(_request, next, generation, ct).ConfigureAwait(false))
                    {
                        budget.Progress();
                        if (current is null || batch.Generation != current.Generation)
                        {
                            var log = new FeedLog(batch.Generation, _capacity, batch.Index < 0 ? batch.Events[0] : null);
                            lock (_logs) _logs.Add(log);
                            if (current is not null)
                            {
                                LogNewRun(Image, current.Generation, batch.Generation);
                                current.Lose(log);
                            }
                            current = log;
                            generation = batch.Generation;
                            next = 0;
                            _firstLog.TrySetResult();
                        }
                        if (batch.Index < 0) continue;
                        current.Events.AppendRange(batch.Events);
                        next = batch.Index + batch.Events.Length;
                    }
                    current?.Events.Complete();
                    return;
                }
                catch (Exception ex) when (GrainWatch.IsLostWatch(ex) && !ct.IsCancellationRequested)
                {
                    LogWatchLost(ex, Image, next);
                    if (budget.Lost() is not { } delay)
                    {
                        LogGaveUp(Image);
                        current?.Lose(null);
                        return;
                    }
                    await Task.Delay(delay, _owner.Time, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Nobody reads the feed any more.
            current?.Lose(null);
        }
        catch (Exception ex)
        {
            LogFeedCrashed(ex, Image);
            current?.Lose(null);
        }
        finally
        {
            _finished = true;
            _firstLog.TrySetResult();
            _owner.Finished(this);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed of build {Image}: watch lost at event {Index}; resuming")]
    private partial void LogWatchLost(Exception exception, string image, int index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Feed of build {Image}: the build could not be reached again; its readers are told")]
    private partial void LogGaveUp(string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Feed of build {Image}: run {Lost} was lost, the build started again as {Generation}")]
    private partial void LogNewRun(string image, string lost, string generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "Feed of build {Image} crashed")]
    private partial void LogFeedCrashed(Exception exception, string image);
}
