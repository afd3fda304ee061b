using System.Runtime.CompilerServices;
using BinderOrleans.Core.BuildLogs;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Core.Grains;

/// <summary>Runs BinderHub's <c>BuildHandler.get</c> sequence for one request and records it for (re)attaching clients.</summary>
internal sealed partial class LaunchGrain : ILaunchGrain
{
    private readonly LaunchSpec _spec;
    private readonly LaunchGrainServices _services;
    private readonly ILogger _logger;
    private readonly EventLog<BinderEvent> _log = new();
    private readonly CancellationTokenSource _cts;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private int _watchers;
    private ITimer? _graceTimer;
    private bool _finished;

    public LaunchGrain(string key, LaunchSpec spec, LaunchGrainServices services, CancellationToken stopping)
    {
        Key = key;
        _spec = spec;
        _services = services;
        _logger = services.Logger;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public string Key { get; }

    public Task Completion => _completion.Task;

    public int EventCount => _log.Count;

    /// <summary>What happened, once finished (metrics and the launch event log read it).</summary>
    public LaunchReport? Report { get; private set; }

    public LaunchGrain Start()
    {
        _ = Task.Run(RunAsync, CancellationToken.None);
        return this;
    }

    public async IAsyncEnumerable<(int Index, BinderEvent Event)> WatchAsync(int fromIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Attached();
        try
        {
            var index = Math.Max(0, fromIndex);
            await foreach (var e in _log.ReadAllAsync(index, cancellationToken).ConfigureAwait(false))
            {
                yield return (index++, e);
            }
        }
        finally
        {
            Detached();
        }
    }

    private void Attached()
    {
        lock (_gate)
        {
            _watchers++;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }
    }

    private void Detached()
    {
        lock (_gate)
        {
            if (--_watchers > 0 || _finished) return;
            // Nobody is watching: keep going for a reconnect, but do not launch servers for no one.
            _graceTimer = _services.Time.CreateTimer(_ => AbandonIfUnwatched(), null, _services.Binder.ReconnectGrace, Timeout.InfiniteTimeSpan);
        }
    }

    private void AbandonIfUnwatched()
    {
        lock (_gate)
        {
            if (_watchers > 0 || _finished) return;
        }
        LogAbandoned(Key, _spec.ProviderId, _spec.Spec);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session finished between the check and the cancel: nothing is left to stop. (A throw here would
            // escape a timer callback and end the process.)
        }
    }

    private async Task RunAsync()
    {
        var report = new LaunchReport { ProviderId = _spec.ProviderId, Spec = _spec.Spec, Origin = _spec.Origin, Host = TryHost(_spec.LaunchHost), UsedBuildToken = _spec.UsedBuildToken };
        try
        {
            await RunFlowAsync(report, _cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            Append(BinderEvent.Failed("The launch was cancelled: the client went away.", 499));
        }
        catch (Exception ex)
        {
            LogFlowCrashed(ex, _spec.ProviderId, _spec.Spec);
            Append(BinderEvent.Failed("Unhandled error while launching. Please try again.", 500));
        }
        finally
        {
            lock (_gate)
            {
                _finished = true;
                _graceTimer?.Dispose();
                _graceTimer = null;
            }
            var last = _log.Snapshot() is { Count: > 0 } all ? all[^1] : null;
            // A build-only ready launched nothing: no launch metrics, no launch event.
            report.Succeeded = last?.Phase == BinderPhase.Ready && !_spec.BuildOnly;
            Report = report;
            RecordMetrics(report);
            _log.Complete();
            _services.Observer.OnLaunchFinished(report);
            _completion.TrySetResult();
            _cts.Dispose();
        }
    }

    private async Task RunFlowAsync(LaunchReport report, CancellationToken ct)
    {
        var provider = _services.Providers.Find(_spec.ProviderId);
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
            resolved = await provider.ResolveAsync(spec, ct).ConfigureAwait(false);
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
        report.RepoUrl = repo.RepoUrl;

        var image = ImageNaming.ImageName(_services.Binder.ImagePrefix, repo.BuildSlug, repo.ResolvedRef);
        var buildName = ImageNaming.BuildName(repo.BuildSlug, repo.ResolvedRef);
        var quotaRequest = new QuotaRequest(image, repo.RepoUrl, repo.RepoQuota);

        if (_spec.BuildOnly && !_services.Binder.EnableApiOnlyMode)
        {
            Append(BuildOnlyEvents.NotPermitted());
            return;
        }
        if (!_spec.BuildOnly && !await QuotaAllowsAsync(quotaRequest, report, ct).ConfigureAwait(false)) return;

        var grain = _services.Builds.Attach(new BuildRequest(image, buildName, repo.RepoUrl, repo.ResolvedRef, _spec.ProviderId, repo.GitCredentials, provider.Name), out _);
        var imageReady = false;
        var buildRan = false;
        await foreach (var e in grain.WatchAsync(ct).ConfigureAwait(false))
        {
            buildRan |= e.Phase != BinderPhase.Built;
            if (_spec.BuildOnly && e.Phase == BinderPhase.Built)
            {
                Append(BuildLogLinks.Absolute(BuildOnlyEvents.Ready(e, buildRan), _spec.ServiceUrl));
                return;
            }
            Append(BuildLogLinks.Absolute(e, _spec.ServiceUrl));
            if (e.Phase == BinderPhase.Failed) return;
            if (e.Phase == BinderPhase.Built) imageReady = true;
        }
        if (!imageReady)
        {
            Append(BinderEvent.Failed("The build ended without an image.", 500));
            return;
        }

        if (!await QuotaAllowsAsync(quotaRequest, report, ct).ConfigureAwait(false)) return;

        var launch = new LaunchRequest(image, repo.RepoUrl, _spec.ProviderId, spec, repo.RefUrl, _spec.LaunchHost,
            $"v2/{_spec.ProviderId}/{spec}", $"v2/{_spec.ProviderId}/{repo.ResolvedSpec}", _spec.ClientIp);
        Append(BinderEvent.Of(BinderPhase.Launching, "Launching server..."));
        var launchStarted = _services.Time.GetTimestamp();
        report.LaunchStarted = true;
        _services.Metrics.InProgressLaunches.Add(1);
        try
        {
            await RelayLaunchAsync(launch, repo, ct).ConfigureAwait(false);
        }
        finally
        {
            report.LaunchElapsed = _services.Time.GetElapsedTime(launchStarted);
            _services.Metrics.InProgressLaunches.Add(-1);
        }
    }

    private async Task RelayLaunchAsync(LaunchRequest launch, ResolvedRepo repo, CancellationToken ct)
    {
        var image = launch.ImageName;
        await foreach (var e in _services.Launcher.LaunchAsync(launch, ct).ConfigureAwait(false))
        {
            if (e.Phase == BinderPhase.Ready)
            {
                Append(e with
                {
                    Message = e.Message ?? $"server running at {e.Url}\n",
                    Image = image,
                    RepoUrl = repo.RepoUrl,
                    BinderRefUrl = repo.RefUrl,
                    BinderLaunchHost = _spec.LaunchHost,
                    BinderRequest = launch.BinderRequest,
                    BinderPersistentRequest = launch.PersistentRequest,
                    BinderClientIp = _spec.ClientIp,
                });
                return;
            }
            Append(e.Phase == BinderPhase.Failed && e.StatusCode is null ? e with { StatusCode = 500 } : e);
            if (e.Phase == BinderPhase.Failed) return;
        }
        Append(BinderEvent.Failed($"Failed to launch image {image}", 500));
    }

    private async Task<bool> QuotaAllowsAsync(QuotaRequest request, LaunchReport report, CancellationToken ct)
    {
        var decision = await _services.Quota.CheckAsync(request, ct).ConfigureAwait(false);
        if (decision.Allowed) return true;
        report.QuotaReason = decision.Reason;
        Append(BinderEvent.Failed(decision.Message ?? "Too many users on this BinderHub! Try again soon.", 429));
        return false;
    }

    private void Append(BinderEvent e) => _log.Append(e);

    private static string? TryHost(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Authority : null;

    /// <summary>BinderHub counts a launch once it was attempted or refused by a quota; resolve and build failures are not launches.</summary>
    private void RecordMetrics(LaunchReport report)
    {
        var status = report.Succeeded ? "success" : report.QuotaReason ?? (report.LaunchStarted ? "failure" : null);
        if (status is null) return;
        _services.Metrics.LaunchCount.Inc(status, report.ProviderName ?? report.ProviderId, report.RepoUrl ?? "");
        if (report.LaunchElapsed is not { } elapsed) return;
        // The launcher retries internally; BinderHub's retries label is the attempt index on success, -1 otherwise.
        _services.Metrics.LaunchTime.Observe(elapsed.TotalSeconds, report.Succeeded ? "success" : "failure", report.Succeeded ? "0" : "-1");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch session {Session} for {Provider}:{Spec} abandoned: no client re-attached")]
    private partial void LogAbandoned(string session, string provider, string spec);

    [LoggerMessage(Level = LogLevel.Error, Message = "Launch flow for {Provider}:{Spec} crashed")]
    private partial void LogFlowCrashed(Exception exception, string provider, string spec);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resolving {Provider}:{Spec} threw")]
    private partial void LogResolveCrashed(Exception exception, string provider, string spec);
}
