using BinderOrleans.Core.Hosting;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Prunes one image store every <see cref="ImageRetentionOptions.Interval"/> (<c>Registry:Retention</c>,
/// <c>Docker:ImageRetention</c>): reports this replica's running servers to the cluster's image-use book, reads the
/// book, and deletes what <see cref="RetentionPlan"/> says. In use, never deleted: images of running servers on any
/// replica, of running or waiting builds (and their repository's other tags, a build's layer cache), the base image,
/// and whatever the store protects itself. A pass that cannot tell what runs deletes nothing.
/// </summary>
public sealed partial class ImageRetention : PeriodicService
{
    private readonly IImageStore _store;
    private readonly ImageRetentionOptions _options;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>>? _moreInUse;
    private readonly string _reporter = Guid.NewGuid().ToString("N");

    /// <param name="services">
    /// Where a pass finds the silo's <see cref="IGrainFactory"/>, <see cref="BuildOptions"/>, <see cref="BinderMetrics"/> and,
    /// when this replica runs servers, its <see cref="IRunningServers"/>: asked for when a pass runs, as the silo starts
    /// after the host's services are made.
    /// </param>
    /// <param name="moreInUse">More images to keep, name → why (the engine's warm images).</param>
    public ImageRetention(IImageStore store, ImageRetentionOptions options, IServiceProvider services, TimeProvider time, ILogger<ImageRetention> logger,
        Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>>? moreInUse = null)
        : base(options.Interval, time)
    {
        _store = store;
        _options = options;
        _services = services;
        _time = time;
        _logger = logger;
        _moreInUse = moreInUse;
    }

    /// <summary>Runs only with a limit set (<see cref="ImageRetentionOptions.Enabled"/>).</summary>
    public override Task StartAsync(CancellationToken cancellationToken) => _options.Enabled ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A lost book, an engine gone: the next pass tries again.
            LogPassCrashed(ex, _store.Name);
        }
    }

    /// <summary>One pass. Returns what it decided; with <see cref="ImageRetentionOptions.DryRun"/> nothing was deleted.</summary>
    public async Task<RetentionOutcome> RunOnceAsync(CancellationToken cancellationToken)
    {
        var baseImage = _services.GetRequiredService<IOptions<BuildOptions>>().Value.BaseImage;
        var inUse = new Dictionary<string, string>(StringComparer.Ordinal) { [baseImage] = "it is the base image (Build:BaseImage)" };
        var grains = _services.GetRequiredService<IGrainFactory>();
        var metrics = _services.GetRequiredService<BinderMetrics>();
        var book = grains.GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey);
        if (_services.GetService<IRunningServers>() is { } servers)
        {
            var running = await servers.ListAsync(cancellationToken).ConfigureAwait(false);
            if (running.Error is not null) return Abandon($"the running servers could not be listed: {running.Error}");
            var images = running.Images.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            await book.ReportRunningAsync(_reporter, images, 3 * _options.Interval).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var uses = await book.GetBookAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var image in uses.Running) inUse.TryAdd(image, "a running server uses it");

        var queue = await grains.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey).GetStateAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        var buildRepositories = queue.Running.Concat(queue.Waiting).Select(i => ImageNaming.SplitTag(i).Name).ToHashSet(StringComparer.Ordinal);
        if (_moreInUse is not null)
        {
            foreach (var (image, why) in await _moreInUse(cancellationToken).ConfigureAwait(false)) inUse.TryAdd(image, why);
        }

        var listing = await _store.ListAsync(cancellationToken).ConfigureAwait(false);
        if (listing.Error is not null) return Abandon($"its images could not be listed: {listing.Error}");
        foreach (var name in listing.Images.SelectMany(i => i.Names).Where(n => buildRepositories.Contains(ImageNaming.SplitTag(n).Name)))
        {
            inUse.TryAdd(name, "a build of its repository is running or waiting");
        }

        var plan = RetentionPlan.Make(listing.Images, uses, inUse, _options, _time.GetUtcNow());
        foreach (var kept in plan.Kept) LogKept(_store.Name, kept.Name, kept.Reason);
        var removed = new List<RetentionRemoval>();
        var errors = new List<string>();
        foreach (var removal in plan.Remove)
        {
            if (_options.DryRun)
            {
                LogWouldRemove(_store.Name, removal.Name, removal.Reason, removal.Bytes);
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (await _store.DeleteAsync(removal.Image, cancellationToken).ConfigureAwait(false) is { } error)
            {
                LogRemoveFailed(_store.Name, removal.Name, error);
                errors.Add(error);
                continue;
            }
            LogRemoved(_store.Name, removal.Name, removal.Reason, removal.Bytes);
            metrics.ImagesRemoved.Inc(_store.Name);
            metrics.ImageBytesRemoved.Add(removal.Bytes, _store.Name);
            removed.Add(removal);
        }
        LogPassDone(_store.Name, listing.Images.Count, plan.TotalBytes, _options.DryRun ? 0 : removed.Count, removed.Sum(r => r.Bytes), plan.Remove.Count, _options.DryRun);
        return new RetentionOutcome(plan, removed, errors, null);
    }

    private RetentionOutcome Abandon(string why)
    {
        LogPassAbandoned(_store.Name, why);
        return new RetentionOutcome(new RetentionPlan([], [], 0), [], [], why);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention ({Store}): deleted {Image}, {Reason}; {Bytes} bytes freed")]
    private partial void LogRemoved(string store, string image, string reason, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention ({Store}), dry run: would delete {Image}, {Reason}; {Bytes} bytes")]
    private partial void LogWouldRemove(string store, string image, string reason, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention ({Store}): kept {Image}: {Reason}")]
    private partial void LogKept(string store, string image, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention ({Store}): deleting {Image} failed: {Error}")]
    private partial void LogRemoveFailed(string store, string image, string error);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Retention ({Store}): {Images} images, {Bytes} bytes; deleted {Removed} ({Freed} bytes) of {Planned} planned (dry run: {DryRun})")]
    private partial void LogPassDone(string store, int images, long bytes, int removed, long freed, int planned, bool dryRun);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention ({Store}): nothing deleted this pass, {Why}")]
    private partial void LogPassAbandoned(string store, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention ({Store}): the pass failed; trying again next interval")]
    private partial void LogPassCrashed(Exception exception, string store);
}

/// <summary>What one retention pass decided and did.</summary>
/// <param name="Removed">What was deleted (empty in a dry run).</param>
/// <param name="Errors">Deletions that failed.</param>
/// <param name="Abandoned">Why the pass deleted nothing without planning (what runs could not be told), or null.</param>
public sealed record RetentionOutcome(RetentionPlan Plan, IReadOnlyList<RetentionRemoval> Removed, IReadOnlyList<string> Errors, string? Abandoned);
