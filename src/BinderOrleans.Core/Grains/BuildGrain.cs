using System.Runtime.CompilerServices;
using BinderOrleans.Core.BuildLogs;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Core.Grains;

/// <summary>
/// Looks the image up, builds it if missing, and records every event in an append-only log.
/// The build runs on the grain's own lifetime: watchers leaving does not stop it (BinderHub's pods behave the same).
/// </summary>
internal sealed partial class BuildGrain : IBuildGrain
{
    private readonly BuildRequest _request;
    private readonly IImageRegistry _registry;
    private readonly IImageBuilder _builder;
    private readonly BuildQueue _queue;
    private readonly BuildOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BinderMetrics _metrics;
    private readonly EventLog<BinderEvent> _log;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IBuildLogStore? _buildLogs;
    private bool _holdEnd;
    private BinderEvent? _heldEnd;

    public BuildGrain(BuildRequest request, IImageRegistry registry, IImageBuilder builder, BuildQueue queue,
        BuildOptions options, TimeProvider time, BinderMetrics metrics, ILogger logger, IBuildLogStore? buildLogs = null)
    {
        _buildLogs = buildLogs;
        _request = request;
        _registry = registry;
        _builder = builder;
        _queue = queue;
        _options = options;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _log = new EventLog<BinderEvent>(options.MaxLogEvents);
    }

    public string Key => _request.ImageName;

    public Task Completion => _completion.Task;

    /// <summary>Set once the grain has finished: whether it built (or found) the image, and whether a build ran.</summary>
    public BuildOutcome? Outcome { get; private set; }

    internal IReadOnlyList<BinderEvent> History => _log.Snapshot();

    public BuildGrain Start(CancellationToken stopping)
    {
        _ = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        return this;
    }

    public async IAsyncEnumerable<BinderEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _log.ReadAllAsync(0, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var started = _time.GetTimestamp();
        var built = false;
        var ranBuild = false;
        try
        {
            var lookup = await _registry.LookupAsync(_request.ImageName, stopping).ConfigureAwait(false);
            if (lookup.Error is { } error) LogLookupFailed(_request.ImageName, error);
            if (lookup.Exists)
            {
                Append(new BinderEvent { Phase = BinderPhase.Built, ImageName = _request.ImageName, Message = "Found built image, launching...\n" });
                built = true;
                return;
            }

            ranBuild = true;
            _holdEnd = _buildLogs is not null;
            Append(BinderEvent.Of(BinderPhase.Waiting, "Waiting for build to start..."));
            using var slot = await _queue.EnterAsync(
                position => Append(BinderEvent.Of(BinderPhase.Waiting, $"Build queue is full: position {position} in line.")),
                stopping).ConfigureAwait(false);
            LogBuildStarted(_request.ImageName, _request.RepoUrl, _request.ResolvedRef);
            started = _time.GetTimestamp();
            _metrics.InProgressBuilds.Add(1);
            try
            {
                built = await BuildAsync(stopping).ConfigureAwait(false);
            }
            finally
            {
                _metrics.InProgressBuilds.Add(-1);
            }
            if (built)
            {
                Append(new BinderEvent { Phase = BinderPhase.Built, ImageName = _request.ImageName, Message = "Built image, launching...\n" });
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Append(BinderEvent.Failed("The server is shutting down; the build was stopped.", 503));
        }
        catch (Exception ex)
        {
            LogBuildCrashed(ex, _request.ImageName);
            Append(BinderEvent.Failed("Unhandled error watching for build events. Please try again.", 500));
        }
        finally
        {
            Outcome = new BuildOutcome(built, ranBuild, _time.GetElapsedTime(started));
            if (ranBuild)
            {
                var status = built ? "success" : "failure";
                _metrics.BuildTime.Observe(Outcome.Duration.TotalSeconds, status);
                _metrics.BuildCount.Inc(status, _request.ProviderName ?? _request.ProviderId, _request.RepoUrl);
            }
            if (_heldEnd is { } end)
            {
                // The log is kept before its last event goes out, so the build_log_url in that event answers at once.
                _holdEnd = false;
                Append(await _buildLogs!.KeepAsync(_request.BuildName, _log.Snapshot(), end, _time.GetUtcNow(), _logger, CancellationToken.None).ConfigureAwait(false));
            }
            _log.Complete();
            _completion.TrySetResult();
        }
    }

    /// <summary>Relays the builder's events with a watchdog for silence and for total duration.</summary>
    private async Task<bool> BuildAsync(CancellationToken stopping)
    {
        using var silence = new CancellationTokenSource(_options.NoOutputTimeout, _time);
        using var tooLong = new CancellationTokenSource(_options.MaxDuration, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, silence.Token, tooLong.Token);
        try
        {
            await foreach (var e in _builder.BuildAsync(_request, linked.Token).ConfigureAwait(false))
            {
                silence.CancelAfter(_options.NoOutputTimeout);
                if (e.Phase == BinderPhase.Failed)
                {
                    Append(e.StatusCode is null ? e with { StatusCode = 500 } : e);
                    return false;
                }
                Append(e);
            }
            return true;
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            Append(BinderEvent.Failed($"The build printed nothing for {_options.NoOutputTimeout} and was stopped.", 504));
            return false;
        }
        catch (OperationCanceledException) when (tooLong.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            Append(BinderEvent.Failed($"The build ran longer than {_options.MaxDuration} and was stopped.", 504));
            return false;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image lookup for {Image} failed, building it: {Error}")]
    private partial void LogLookupFailed(string image, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Image} from {RepoUrl} at {Ref}")]
    private partial void LogBuildStarted(string image, string repoUrl, string @ref);

    [LoggerMessage(Level = LogLevel.Error, Message = "Build of {Image} crashed")]
    private partial void LogBuildCrashed(Exception exception, string image);
}

/// <param name="ImageReady">The image exists now.</param>
/// <param name="Built">A build ran (false when the image was found).</param>
/// <param name="Duration">Time from activation to the end.</param>
public sealed record BuildOutcome(bool ImageReady, bool Built, TimeSpan Duration);
