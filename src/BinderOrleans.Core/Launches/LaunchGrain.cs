using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Sessions;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// Runs BinderHub's <c>BuildHandler.get</c> sequence for one request and records it for (re)attaching clients. Placed
/// on the silo of the front end that starts it, which keeps the per-silo session bound (<c>Binder:MaxSessions</c>) local.
/// </summary>
[PreferLocalPlacement]
internal sealed partial class LaunchGrain : Grain, ILaunchGrain
{
    /// <summary>How long stopping a server nobody claimed may take (a hub may first have to finish the spawn).</summary>
    internal static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);

    private readonly RepoProviderRegistry _providers;
    private readonly RepoResolver _resolver;
    private readonly ILauncher _launcher;
    private readonly ILaunchQuota _quota;
    private readonly SiteOptions _binder;
    private readonly TimeProvider _time;
    private readonly ILaunchObserver _observer;
    private readonly BinderMetrics _metrics;
    private readonly LaunchSessionTable _table;
    private readonly ILogger _logger;
    private readonly BuildFeeds _feeds;
    // The session's events: its own, and the stretches that are its build's log (held, not copied).
    private readonly SessionRecord _record = new();
    private readonly CancellationTokenSource _cts = new();
    private LaunchSpec _spec = null!;
    private int _watchers;
    private IGrainTimer? _graceTimer;
    private IGrainTimer? _lingerTimer;
    // Set while a server that came up after its client left waits for a client to come back.
    private TaskCompletionSource? _watcherBack;
    private readonly DrainState _drain;
    // Held from the start until the session ended and its watchers have it all: a draining silo waits for both.
    private IDisposable? _running;
    private bool _handingOver;

    public LaunchGrain(RepoProviderRegistry providers, RepoResolver resolver, ILauncher launcher, ILaunchQuota quota, IOptions<SiteOptions> binder,
        TimeProvider time, ILaunchObserver observer, BinderMetrics metrics, LaunchSessionTable table, DrainState drain,
        BuildFeeds feeds, ILogger<LaunchGrain> logger)
    {
        _feeds = feeds;
        _drain = drain;
        _providers = providers;
        _resolver = resolver;
        _launcher = launcher;
        _quota = quota;
        _binder = binder.Value;
        _time = time;
        _observer = observer;
        _metrics = metrics;
        _table = table;
        _logger = logger;
    }

    private string Key => this.GetPrimaryKeyString();

    private bool Started => _record.IsStarted;

    public async IAsyncEnumerable<SessionEntry> WatchAsync(LaunchSpec spec, int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in WatchBatchesAsync(spec, fromIndex, expandBuilds: true, cancellationToken))
        {
            for (var i = 0; i < batch.Events.Length; i++) yield return new SessionEntry(batch.Index + i, batch.Events[i]);
        }
    }

    public async IAsyncEnumerable<SessionBatch> WatchBatchesAsync(LaunchSpec spec, int fromIndex, bool expandBuilds,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Started) Start(spec, Math.Max(0, fromIndex));
        _watchers++;
        _watcherBack?.TrySetResult();
        _graceTimer?.Dispose();
        _graceTimer = null;
        _lingerTimer?.Dispose();
        _lingerTimer = null;
        try
        {
            await foreach (var batch in _record.ReadAsync(fromIndex, expandBuilds, cancellationToken))
            {
                yield return batch;
            }
        }
        finally
        {
            _watchers--;
            OnUnwatched();
        }
    }

    public ValueTask<SessionState> GetStateAsync() =>
        ValueTask.FromResult(new SessionState(Started, _record.IsCompleted, _record.NextIndex));

    public ValueTask EvictAsync()
    {
        if (_record.IsCompleted) DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (Started && !_record.IsCompleted)
        {
            // Still running as the activation goes (a drain deadline, a silo stopping): no failed event. Watchers are told
            // to watch again; the session starts again on a live silo from where its client is.
            _handingOver = true;
            LogHandingOver(Key, reason.ToString());
            _record.Abort(new EnumerationAbortedException($"Launch session {Key} was handed over to another server."));
        }
        _cts.Cancel();
        _running?.Dispose();
        if (Started) _table.Remove(Key);
        return Task.CompletedTask;
    }

    private void Start(LaunchSpec spec, int fromIndex)
    {
        _spec = spec;
        _record.Start(fromIndex);
        _running = _drain.Track();
        _table.Add(Key);
        if (fromIndex > 0)
        {
            // The activation that ran this session was lost with its silo: start over from the request, numbering on
            // from where the client is, so its EventSource ids stay increasing.
            Append(BinderEvent.Of(BinderPhase.Waiting, "The server running this session was lost; starting again."));
        }
        _ = RunAsync();
    }

    private void OnUnwatched()
    {
        if (_watchers > 0) return;
        if (_record.IsCompleted)
        {
            _running?.Dispose();
            // Finished and unwatched: stay resumable for a while (Last-Event-ID → 204), then go.
            _lingerTimer?.Dispose();
            _lingerTimer = this.RegisterGrainTimer(() =>
            {
                if (_watchers == 0) DeactivateOnIdle();
                return Task.CompletedTask;
            }, new GrainTimerCreationOptions(_binder.SessionLinger, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            return;
        }
        // Nobody is watching: keep going for a reconnect, but do not launch servers for no one.
        _graceTimer?.Dispose();
        _graceTimer = this.RegisterGrainTimer(() =>
        {
            if (_watchers == 0 && !_record.IsCompleted)
            {
                LogAbandoned(Key, _spec.ProviderId, _spec.Spec);
                _cts.Cancel();
            }
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(_binder.ReconnectGrace, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task RunAsync()
    {
        var report = new LaunchReport { ProviderId = _spec.ProviderId, Spec = _spec.Spec, Origin = _spec.Origin, Host = TryHost(_spec.LaunchHost), UsedBuildToken = _spec.UsedBuildToken };
        try
        {
            await RunFlowAsync(report, _cts.Token);
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            if (!_handingOver) Append(BinderEvent.Failed("The launch was cancelled: the client went away.", 499));
        }
        catch (Exception ex)
        {
            LogFlowCrashed(ex, _spec.ProviderId, _spec.Spec);
            Append(BinderEvent.Failed("Unhandled error while launching. Please try again.", 500));
        }
        finally
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
            if (!_handingOver) Finish(report);
        }
    }

    private void Finish(LaunchReport report)
    {
        var last = _record.LastEvent;
        // A build-only ready launched nothing: no launch metrics, no launch event.
        report.Succeeded = last?.Phase == BinderPhase.Ready && !_spec.BuildOnly;
        RecordMetrics(report);
        _record.Complete();
        _table.MarkFinished(Key, _time.GetUtcNow());
        _observer.OnLaunchFinished(report);
        OnUnwatched();
    }

    private async Task RunFlowAsync(LaunchReport report, CancellationToken ct)
    {
        var provider = _providers.Find(_spec.ProviderId);
        if (provider is null)
        {
            Append(BinderEvent.Failed($"No provider found for prefix {_spec.ProviderId}", 404));
            return;
        }
        report.ProviderName = provider.Name;
        var spec = _spec.Spec.TrimEnd('/');
        if (spec.Length == 0)
        {
            Append(BinderEvent.Failed($"No repository given: use /build/{_spec.ProviderId}/<spec>.", 400));
            return;
        }

        ResolveResult resolved;
        try
        {
            // A logged-in user's private repository resolves with their own credentials, to an image name of their own.
            resolved = await _resolver.ResolveAsync(provider, spec, _spec.User, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogResolveCrashed(ex, _spec.ProviderId, spec);
            var error = ResolveResult.Error(_spec.ProviderId, spec, ex.Message, 500);
            Append(BinderEvent.Failed(error.Message, error.StatusCode));
            return;
        }
        if (resolved is ResolveResult.Failed failed)
        {
            Append(BinderEvent.Failed(failed.Message, failed.StatusCode));
            return;
        }
        var (repo, notice) = (ResolveResult.Resolved)resolved;
        if (notice is not null) Append(BinderEvent.Of(BinderPhase.Waiting, notice));
        report.ResolvedRef = repo.ResolvedRef;
        report.RepoUrl = repo.Owner is null ? repo.RepoUrl : BuildRequest.PrivateRepoLabel;

        var image = repo.Image ?? ImageNaming.ImageName(_binder.ImagePrefix, repo.BuildSlug, repo.ResolvedRef);
        var buildName = ImageNaming.BuildName(repo.BuildSlug, repo.ResolvedRef);
        var quotaRequest = new QuotaRequest(image, repo.RepoUrl, repo.RepoQuota);

        if (_spec.BuildOnly && !_binder.EnableApiOnlyMode)
        {
            Append(BuildOnlyEvents.NotPermitted());
            return;
        }
        if (!_spec.BuildOnly && !await QuotaAllowsAsync(quotaRequest, report, ct)) return;

        var build = new BuildRequest(image, buildName, repo.RepoUrl, repo.ResolvedRef, _spec.ProviderId, repo.GitCredentials, provider.Name,
            PullOnly: repo.Image is not null, Owner: repo.Owner);
        var built = await FollowBuildAsync(build, ct);
        if (built is null || _spec.BuildOnly) return;
        if (built.Phase != BinderPhase.Built)
        {
            Append(BinderEvent.Failed("The build ended without an image.", 500));
            return;
        }

        if (!await QuotaAllowsAsync(quotaRequest, report, ct)) return;

        var launch = new LaunchRequest(image, repo.RepoUrl, _spec.ProviderId, spec, repo.RefUrl, _spec.LaunchHost,
            $"v2/{_spec.ProviderId}/{spec}", $"v2/{_spec.ProviderId}/{repo.ResolvedSpec}", _spec.ClientIp, Key, _spec.ServiceUrl, _spec.User);
        Append(BinderEvent.Of(BinderPhase.Launching, "Launching server..."));
        var launchStarted = _time.GetTimestamp();
        report.LaunchStarted = true;
        _metrics.InProgressLaunches.Add(1);
        try
        {
            await RelayLaunchAsync(launch, repo, ct);
        }
        finally
        {
            report.LaunchElapsed = _time.GetElapsedTime(launchStarted);
            _metrics.InProgressLaunches.Add(-1);
        }
    }

    /// <summary>
    /// Follows the shared build through this silo's feed of it. The session records the build's log as a stretch of its
    /// own (clients read the lines from their silo's feed) and appends only the build's end itself. A run of the build
    /// lost with its silo is followed into the run that replaced it.
    /// </summary>
    /// <returns>The build's last event when it was <c>built</c>; null when the session already ended with a failure.</returns>
    private async Task<BinderEvent?> FollowBuildAsync(BuildRequest request, CancellationToken ct)
    {
        using var reader = _feeds.Open(request);
        var log = await reader.LogAsync(ct);
        var buildRan = false;
        while (true)
        {
            if (log is null)
            {
                Append(BinderEvent.Failed("The build was lost with the server running it and could not be resumed. Please try again.", 503));
                return null;
            }
            if (log.Notice is { } notice)
            {
                Append(notice);
                buildRan = true;
            }
            // The first event tells whether there is a log to share at all (an image found is just its end).
            await log.Events.WaitBeyondAsync(0, ct);
            var stretch = log.Events.Count > 0 && log.Events[0].Phase is not (BinderPhase.Built or BinderPhase.Failed) ? _record.OpenBuild(request, log) : null;
            int end;
            try
            {
                await log.Events.Ended.WaitAsync(ct);
                end = log.Events.FindIndex(static e => e.Phase is BinderPhase.Built or BinderPhase.Failed);
            }
            finally
            {
                if (stretch is not null) _record.CloseBuild(stretch, stretch.Reach());
            }
            if (end >= 0)
            {
                var e = log.Events[end];
                buildRan |= end > 0;
                if (_spec.BuildOnly && e.Phase == BinderPhase.Built)
                {
                    await RecordUseAsync(request.ImageName);
                    Append(BuildLogLinks.Absolute(BuildOnlyEvents.Ready(e, buildRan), _spec.ServiceUrl));
                    return e;
                }
                Append(BuildLogLinks.Absolute(e, _spec.ServiceUrl));
                if (e.Phase == BinderPhase.Failed) return null;
                await RecordUseAsync(request.ImageName);
                return e;
            }
            if (!log.Events.IsAborted) return new BinderEvent { Phase = BinderPhase.Unknown };
            buildRan |= log.Events.Count > 0;
            log = log.Next;
            if (log is not null) Append(BinderEvent.Of(BinderPhase.Waiting, "The server running the build was lost; the build started again."));
        }
    }

    /// <summary>A launch, or a request that found the image built, counts as a use of it (for retention); a failure to record never fails the launch.</summary>
    private async Task RecordUseAsync(string image)
    {
        try
        {
            await GrainFactory.GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey).RecordAsync(image);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUseNotRecorded(ex, image);
        }
    }

    private async Task RelayLaunchAsync(LaunchRequest launch, ResolvedRepo repo, CancellationToken ct)
    {
        var image = launch.ImageName;
        // Restarted after its silo was lost: the lost activation may have started the server already.
        if (_record.Base > 0 && await _launcher.FindExistingAsync(launch, ct) is { Phase: BinderPhase.Ready } existing)
        {
            LogAdopted(Key, existing.Server);
            await AppendReadyAsync(existing, launch, repo, ct);
            return;
        }
        await foreach (var e in _launcher.LaunchAsync(launch, ct))
        {
            if (e.Phase == BinderPhase.Ready)
            {
                await AppendReadyAsync(e, launch, repo, ct);
                return;
            }
            Append(e.Phase == BinderPhase.Failed && e.StatusCode is null ? e with { StatusCode = 500 } : e);
            if (e.Phase == BinderPhase.Failed) return;
        }
        Append(BinderEvent.Failed($"Failed to launch image {image}", 500));
    }

    private async Task AppendReadyAsync(BinderEvent ready, LaunchRequest launch, ResolvedRepo repo, CancellationToken ct)
    {
        if (ready.Server is { } server) await AwaitClaimAsync(server, ct);
        Append(ready with
        {
            Server = null,
            Message = ready.Message ?? $"server running at {ready.Url}\n",
            Image = launch.ImageName,
            RepoUrl = repo.RepoUrl,
            BinderRefUrl = repo.RefUrl,
            BinderLaunchHost = _spec.LaunchHost,
            BinderRequest = launch.BinderRequest,
            BinderPersistentRequest = launch.PersistentRequest,
            BinderClientIp = _spec.ClientIp,
        });
    }

    /// <summary>
    /// A server that came up while nobody watched is handed over only when a client comes back within
    /// <c>Binder:ReconnectGrace</c>; when the grace ends first (the session is cancelled) the server is stopped, so an
    /// abandoned launch never leaves a server running for nobody until the idle cull.
    /// </summary>
    private async Task AwaitClaimAsync(string server, CancellationToken ct)
    {
        if (_watchers > 0) return;
        LogUnclaimedServer(Key, server);
        _watcherBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _watcherBack.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await StopUnclaimedAsync(server);
            throw;
        }
        finally
        {
            _watcherBack = null;
        }
    }

    private async Task StopUnclaimedAsync(string server)
    {
        // Not the session's token (it is cancelled): the stop has a budget of its own.
        using var budget = new CancellationTokenSource(StopTimeout, _time);
        try
        {
            await _launcher.StopAsync(server, budget.Token);
            LogStoppedUnclaimed(Key, server);
        }
        catch (Exception ex)
        {
            LogStopFailed(ex, Key, server);
        }
    }

    private async Task<bool> QuotaAllowsAsync(QuotaRequest request, LaunchReport report, CancellationToken ct)
    {
        var decision = await _quota.CheckAsync(request, ct);
        if (decision.Allowed) return true;
        report.QuotaReason = decision.Reason;
        Append(BinderEvent.Failed(decision.Message ?? "Too many users on this BinderHub! Try again soon.", 429));
        return false;
    }

    private void Append(BinderEvent e) => _record.Append(e);

    private static string? TryHost(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Authority : null;

    /// <summary>BinderHub counts a launch once it was attempted or refused by a quota; resolve and build failures are not launches.</summary>
    private void RecordMetrics(LaunchReport report)
    {
        var status = report.Succeeded ? "success" : report.QuotaReason ?? (report.LaunchStarted ? "failure" : null);
        if (status is null) return;
        _metrics.LaunchCount.Inc(status, report.ProviderName ?? report.ProviderId, report.RepoUrl ?? "");
        if (report.LaunchElapsed is not { } elapsed) return;
        // BinderHub's retries label: the attempt index on success (the launcher puts it on its ready event), -1 otherwise.
        var retries = report.Succeeded && _record.LastEvent is { } last ? last.Retries : -1;
        _metrics.LaunchTime.Observe(elapsed.TotalSeconds, report.Succeeded ? "success" : "failure",
            retries.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch session {Session} handed over: its activation goes ({Reason}) before the session ended")]
    private partial void LogHandingOver(string session, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the use of {Image}")]
    private partial void LogUseNotRecorded(Exception exception, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch session {Session} for {Provider}:{Spec} abandoned: no client re-attached")]
    private partial void LogAbandoned(string session, string provider, string spec);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch session {Session}: server {Server} is ready but nobody watches; holding it for a reconnect")]
    private partial void LogUnclaimedServer(string session, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch session {Session} restarted: adopting server {Server}, which the lost activation had started")]
    private partial void LogAdopted(string session, string? server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch session {Session}: stopped server {Server}, which no client claimed")]
    private partial void LogStoppedUnclaimed(string session, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Launch session {Session}: could not stop unclaimed server {Server}")]
    private partial void LogStopFailed(Exception exception, string session, string server);

    [LoggerMessage(Level = LogLevel.Error, Message = "Launch flow for {Provider}:{Spec} crashed")]
    private partial void LogFlowCrashed(Exception exception, string provider, string spec);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resolving {Provider}:{Spec} threw")]
    private partial void LogResolveCrashed(Exception exception, string provider, string spec);
}
