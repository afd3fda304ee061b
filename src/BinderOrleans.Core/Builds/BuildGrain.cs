using System.Runtime.CompilerServices;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Looks the image up, builds it if missing, and records every event in an append-only log that every watcher replays.
/// The build runs on the activation's lifetime: watchers leaving does not stop it (BinderHub's pods behave the same). A
/// draining silo lets it finish (<see cref="DrainState"/>); one still running when the activation goes anyway is handed
/// over: its watchers are told to resume, and the next activation re-attaches to the build or starts it again. A finished activation goes once nobody watches: at once after a success (the image
/// is found next time), after <c>Build:FailedBuildLinger</c> after a failure of the repository itself.
/// </summary>
/// <remarks>
/// Placed on the silo of the session that first asks for the image: a draining replica takes no new sessions, so it
/// starts no new builds either.
/// </remarks>
[PreferLocalPlacement]
internal sealed partial class BuildGrain : Grain, IBuildGrain
{
    private readonly IImageRegistry _registry;
    private readonly IImageBuilder _builder;
    private readonly BuildOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BinderMetrics _metrics;
    private readonly EventLog<BinderEvent> _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _generation = Guid.NewGuid().ToString("N");
    private BuildRequest? _request;
    private BuildOutcome? _outcome;
    private DateTimeOffset _completedAt;
    private int _watchers;
    private IGrainTimer? _keepAlive;
    private IGrainTimer? _linger;
    private bool _holdsSlot;
    private readonly IBuildLogStore? _buildLogs;
    private bool _holdEnd;
    private BinderEvent? _heldEnd;
    private readonly DrainState _drain;
    // Held from the start of the build until it ended and its watchers have it all: a draining silo waits for both.
    private IDisposable? _running;
    private bool _handingOver;

    public BuildGrain(IImageRegistry registry, IImageBuilder builder, IOptions<BuildOptions> options, TimeProvider time,
        BinderMetrics metrics, DrainState drain, ILogger<BuildGrain> logger, IBuildLogStore? buildLogs = null)
    {
        _drain = drain;
        _buildLogs = buildLogs;
        _registry = registry;
        _builder = builder;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _log = new EventLog<BinderEvent>(_options.MaxLogEvents);
    }

    public async IAsyncEnumerable<BuildLogEntry> WatchAsync(BuildRequest request, int fromIndex, string? generation,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in WatchBatchesAsync(request, fromIndex, generation, cancellationToken))
        {
            for (var i = 0; i < batch.Events.Length; i++)
            {
                yield return new BuildLogEntry(batch.Index < 0 ? -1 : batch.Index + i, batch.Generation, batch.Events[i]);
            }
        }
    }

    public async IAsyncEnumerable<BuildLogBatch> WatchBatchesAsync(BuildRequest request, int fromIndex, string? generation,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_request is null)
        {
            _request = request;
            _running = _drain.Track();
            // Runs on this activation's scheduler; the grain stays active while it runs (the keep-alive timer).
            _keepAlive = this.RegisterGrainTimer(RenewSlotAsync, new GrainTimerCreationOptions(_options.QueueSlotLease / 3, _options.QueueSlotLease / 3) { KeepAlive = true, Interleave = true });
            _ = RunAsync(request, _stopping.Token);
        }
        var index = generation is null || generation == _generation ? Math.Max(0, fromIndex) : 0;
        _watchers++;
        _linger?.Dispose();
        try
        {
            if (index == 0 && generation is null && _outcome is { ImageReady: true, Built: true })
            {
                // A new request after this activation built the image: the image is there, as the next activation
                // would find it. Replaying the build's whole log to someone who did not watch it would only slow them.
                yield return new BuildLogBatch(0, _generation,
                    [new BinderEvent { Phase = BinderPhase.Built, ImageName = request.ImageName, Message = "Found built image, launching...\n" }]);
                yield break;
            }
            if (index == 0 && _outcome is { Lingers: true })
            {
                var ago = Math.Max(1, (int)(_time.GetUtcNow() - _completedAt).TotalSeconds);
                yield return new BuildLogBatch(-1, _generation,
                    [BinderEvent.Of(BinderPhase.Waiting, $"This build failed {ago} s ago; replaying its log instead of building again.")]);
            }
            await foreach (var events in _log.ReadBatchesAsync(index, cancellationToken))
            {
                yield return new BuildLogBatch(index, _generation, events.ToArray());
                index += events.Length;
            }
        }
        finally
        {
            _watchers--;
            DeactivateWhenUnwatched();
        }
    }

    public ValueTask<BuildStatus> GetStatusAsync() =>
        ValueTask.FromResult(new BuildStatus(_request is not null, _log.IsCompleted, _log.Count, _generation, _outcome, _holdsSlot));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_request is not null && !_log.IsCompleted)
        {
            // Still running as the activation goes (a drain deadline, a silo stopping): no failed event. Watchers are told
            // to watch again, which reaches the next activation; it re-attaches to the build (a Kubernetes build pod) or
            // builds again.
            _handingOver = true;
            LogHandingOver(_request.ImageName, reason.ToString());
            _log.Abort(new EnumerationAbortedException($"The build of {_request.ImageName} was handed over to another server."));
        }
        _stopping.Cancel();
        ReleaseDrain();
        return Task.CompletedTask;
    }

    private void ReleaseDrain()
    {
        _running?.Dispose();
        _running = null;
    }

    private async Task RunAsync(BuildRequest request, CancellationToken stopping)
    {
        var started = _time.GetTimestamp();
        var built = false;
        var ranBuild = false;
        var lingers = false;
        var queue = GrainFactory.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey);
        try
        {
            var lookup = await _registry.LookupAsync(request.ImageName, stopping);
            if (lookup.Error is { } error) LogLookupFailed(request.ImageName, error);
            if (lookup.Exists)
            {
                Append(new BinderEvent { Phase = BinderPhase.Built, ImageName = request.ImageName, Message = "Found built image, launching...\n" });
                built = true;
                return;
            }

            ranBuild = true;
            _holdEnd = _buildLogs is not null;
            Append(BinderEvent.Of(BinderPhase.Waiting, "Waiting for build to start..."));
            await WaitForSlotAsync(queue, request.ImageName, stopping);
            _holdsSlot = true;
            LogBuildStarted(request.ImageName, request.RepoUrl, request.ResolvedRef);
            started = _time.GetTimestamp();
            _metrics.InProgressBuilds.Add(1);
            try
            {
                (built, lingers) = await BuildAsync(request, stopping);
            }
            finally
            {
                _metrics.InProgressBuilds.Add(-1);
            }
            if (built)
            {
                Append(new BinderEvent { Phase = BinderPhase.Built, ImageName = request.ImageName, Message = "Built image, launching...\n" });
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            if (!_handingOver) Append(BinderEvent.Failed("The server is shutting down; the build was stopped.", 503));
        }
        catch (Exception ex)
        {
            LogBuildCrashed(ex, request.ImageName);
            Append(BinderEvent.Failed("Unhandled error watching for build events. Please try again.", 500));
        }
        finally
        {
            _keepAlive?.Dispose();
            if (ranBuild) await LeaveQueueAsync(queue, request.ImageName);
            _holdsSlot = false;
            if (!_handingOver)
            {
                _outcome = new BuildOutcome(built, ranBuild, _time.GetElapsedTime(started), lingers);
                _completedAt = _time.GetUtcNow();
                if (ranBuild)
                {
                    var status = built ? "success" : "failure";
                    _metrics.BuildTime.Observe(_outcome.Duration.TotalSeconds, status);
                    _metrics.BuildCount.Inc(status, request.ProviderName ?? request.ProviderId, request.MetricsRepo);
                }
                if (_heldEnd is { } end)
                {
                    // The log is kept before its last event goes out, so the build_log_url in that event answers at once.
                    _holdEnd = false;
                    Append(await _buildLogs!.KeepAsync(request.BuildName, _log.Snapshot(), end, _time.GetUtcNow(), _logger,
                        secret: request.Owner is not null, CancellationToken.None));
                }
                _log.Complete();
                DeactivateWhenUnwatched();
            }
        }
    }

    /// <summary>Polls the cluster-wide queue, telling watchers their position whenever it changes.</summary>
    private async Task WaitForSlotAsync(IBuildQueueGrain queue, string image, CancellationToken stopping)
    {
        var told = 0;
        var unreachableSince = (DateTimeOffset?)null;
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            int position;
            try
            {
                position = await queue.EnterAsync(image);
                unreachableSince = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && (unreachableSince ??= _time.GetUtcNow()) + _options.QueueSlotLease > _time.GetUtcNow())
            {
                // The queue's silo is being lost: it comes back on another one within a lease; keep the place in line.
                LogQueueUnreachable(ex, image);
                await Task.Delay(_options.QueuePollInterval, _time, stopping);
                continue;
            }
            if (position == 0) return;
            if (position != told)
            {
                Append(BinderEvent.Of(BinderPhase.Waiting, $"Build queue is full: position {position} in line."));
                told = position;
            }
            await Task.Delay(_options.QueuePollInterval, _time, stopping);
        }
    }

    private async Task RenewSlotAsync(CancellationToken cancellationToken)
    {
        // A waiting build asks on its own, more often; a running one renews its lease here.
        if (_request is null || !_holdsSlot || _log.IsCompleted) return;
        try
        {
            await GrainFactory.GetGrain<IBuildQueueGrain>(IBuildQueueGrain.ClusterKey).RenewAsync(_request.ImageName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogQueueUnreachable(ex, _request.ImageName);
        }
    }

    private async Task LeaveQueueAsync(IBuildQueueGrain queue, string image)
    {
        try
        {
            await queue.LeaveAsync(image);
        }
        catch (Exception ex)
        {
            // The slot's lease runs out on its own.
            LogQueueUnreachable(ex, image);
        }
    }

    /// <summary>Relays the builder's events with a watchdog for silence and for total duration.</summary>
    /// <returns>Whether the image was built, and whether a failure is the repository's own (and so lingers).</returns>
    private async Task<(bool Built, bool Lingers)> BuildAsync(BuildRequest request, CancellationToken stopping)
    {
        using var silence = new CancellationTokenSource(_options.NoOutputTimeout, _time);
        using var tooLong = new CancellationTokenSource(_options.MaxDuration, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, silence.Token, tooLong.Token);
        try
        {
            await foreach (var e in _builder.BuildAsync(request, linked.Token))
            {
                silence.CancelAfter(_options.NoOutputTimeout);
                if (e.Phase == BinderPhase.Failed)
                {
                    var failed = e.StatusCode is null ? e with { StatusCode = 500 } : e;
                    Append(failed);
                    // 5xx other than a plain build error (500) means the machinery failed, not the repository: the next
                    // request should try again rather than be shown this failure.
                    return (false, failed.StatusCode is < 500 or 500);
                }
                Append(e);
            }
            return (true, false);
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            Append(BinderEvent.Failed($"The build printed nothing for {_options.NoOutputTimeout} and was stopped.", 504));
            return (false, true);
        }
        catch (OperationCanceledException) when (tooLong.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            Append(BinderEvent.Failed($"The build ran longer than {_options.MaxDuration} and was stopped.", 504));
            return (false, true);
        }
    }

    private void DeactivateWhenUnwatched()
    {
        if (!_log.IsCompleted) return;
        if (_watchers == 0) ReleaseDrain();
        var linger = _outcome is { Lingers: true } ? _options.FailedBuildLinger : TimeSpan.Zero;
        if (_watchers == 0 && linger <= TimeSpan.Zero)
        {
            DeactivateOnIdle();
            return;
        }
        // A watcher of a finished log reads it to the end at once; one still counted after the grace is a remote
        // enumerator whose end was never signalled (its caller went away), and must not keep a finished build alive.
        var wait = _watchers == 0 ? linger : linger > UnwatchedGrace ? linger : UnwatchedGrace;
        _linger?.Dispose();
        _linger = this.RegisterGrainTimer(() =>
        {
            ReleaseDrain();
            DeactivateOnIdle();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(wait, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    /// <summary>How long a finished build waits for its last watchers before it goes anyway.</summary>
    private static readonly TimeSpan UnwatchedGrace = TimeSpan.FromSeconds(10);

    private void Append(BinderEvent e)
    {
        if (_holdEnd && e.Phase is BinderPhase.Built or BinderPhase.Failed)
        {
            _heldEnd = e;
            return;
        }
        var isLogLine = e.Phase is BinderPhase.Building or BinderPhase.Fetching or BinderPhase.Pushing or BinderPhase.Unknown;
        _log.Append(e, mustKeep: !isLogLine,
            overflowNote: () => BinderEvent.Of(BinderPhase.Building, $"[build log longer than {_options.MaxLogEvents} events; further lines are not shown]"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Build of {Image} handed over: its activation goes ({Reason}) before the build ended")]
    private partial void LogHandingOver(string image, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image lookup for {Image} failed, building it: {Error}")]
    private partial void LogLookupFailed(string image, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Image} from {RepoUrl} at {Ref}")]
    private partial void LogBuildStarted(string image, string repoUrl, string @ref);

    [LoggerMessage(Level = LogLevel.Error, Message = "Build of {Image} crashed")]
    private partial void LogBuildCrashed(Exception exception, string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The build queue could not be reached for {Image}")]
    private partial void LogQueueUnreachable(Exception exception, string image);
}
