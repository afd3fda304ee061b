using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Kubernetes.Client;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// Builds in a Kubernetes pod running repo2docker, as BinderHub does. The pod's deterministic name is the
/// cluster-wide lock: create it, or on 409 AlreadyExists attach to the one another request or replica made. Either
/// way: wait for it to run, relay its whole log (from the first line, so late attachers miss nothing), wait for it to
/// finish, delete it (any watcher may; 404 is fine). Cancelling stops this watcher only: the pod keeps building for
/// the others, and the cleaner removes it if nobody is left (BinderHub's behaviour).
/// </summary>
internal sealed partial class KubernetesImageBuilder : IImageBuilder
{
    /// <summary>Log lines quoted in the <c>failed</c> event.</summary>
    private const int FailureTailLines = 5;

    /// <summary>Times a log stream that broke while the container still ran is reopened.</summary>
    private const int MaxLogReopens = 3;

    private readonly PodApi _api;
    private readonly IImageRegistry _registry;
    private readonly KubernetesOptions _options;
    private readonly PodWatcher _watcher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public KubernetesImageBuilder(PodApi api, IImageRegistry registry, IOptions<KubernetesOptions> options, TimeProvider time,
        ILogger<KubernetesImageBuilder> logger)
    {
        _api = api;
        _registry = registry;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _watcher = new PodWatcher(api, time, logger);
    }

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.PullOnly)
        {
            // Nodes pull the reference themselves when the server pod starts; a registry lookup that missed means it does not exist.
            yield return BinderEvent.Failed($"Image {request.ImageName} was not found in the registry; the Kubernetes backend launches pre-built images only when the registry already has them.", 404);
            yield break;
        }
        if (BuildPod.Refusal(request) is { } refusal)
        {
            yield return BinderEvent.Failed(refusal, 400);
            yield break;
        }
        var name = request.BuildName;
        var stickyNode = _options.StickyBuilds ? await StickyNodeAsync(request.RepoUrl, cancellationToken).ConfigureAwait(false) : null;
        var created = await _api.CreatePodAsync(BuildPod.Create(request, _options, stickyNode), cancellationToken).ConfigureAwait(false);
        if (created.Error is { } createError)
        {
            LogCreateFailed(name, createError.ToString());
            yield return BinderEvent.Failed($"Could not start the build: creating build pod {name} in namespace {_api.Namespace} failed: {createError.Message}");
            yield break;
        }
        if (created.Outcome == CreatePodOutcome.Exists) LogAttached(name);
        else LogCreated(name, _api.Namespace, request.RepoUrl, request.ResolvedRef);

        var log = new LogTail(FailureTailLines);
        var observed = await _watcher.WaitAsync(name, PodWatcher.HasStarted, cancellationToken).ConfigureAwait(false);
        if (observed is { Gone: false, Error: null })
        {
            var lastSeen = observed.Pod!;
            for (var reopens = 0; ; reopens++)
            {
                var open = await _api.OpenPodLogAsync(name, BuildPod.ContainerName, cancellationToken).ConfigureAwait(false);
                if (open.Error is { } logError)
                {
                    // 400: the container never ran; 404: the pod is gone. The pod's state below tells which way it ended.
                    LogNoLog(name, logError.ToString());
                }
                else
                {
                    var index = 0;
                    await using var stream = open.Value;
                    await foreach (var line in stream.ReadLinesAsync(cancellationToken).ConfigureAwait(false))
                    {
                        // A reopened log starts again from its first line: skip what was relayed already.
                        if (index++ < log.Delivered) continue;
                        if (log.Add(line) is not { } e) continue;
                        if (e.Phase == BinderPhase.Failed)
                        {
                            log.Failure = e;
                            break;
                        }
                        yield return e;
                    }
                    if (stream.Error is { } broken) LogLogBroke(name, broken);
                }
                // The state right after the log ended: usually final already, and worth having before another
                // watcher deletes the pod.
                var current = await _api.GetPodAsync(name, cancellationToken).ConfigureAwait(false);
                if (current.Error is null) lastSeen = current.Value;
                var permanent = open.Error is { Code: > 0 and < 500 };
                if (permanent || log.Failure is not null || reopens >= MaxLogReopens || current.Error is not null || !IsRunning(current.Value)) break;
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
            observed = PodWatcher.HasFinished(lastSeen)
                ? PodObservation.Seen(lastSeen)
                : await _watcher.WaitAsync(name, PodWatcher.HasFinished, cancellationToken).ConfigureAwait(false);
        }

        if (observed.Error is { } watchError)
        {
            LogWatchFailed(name, watchError.ToString());
            yield return BinderEvent.Failed($"Lost contact with the Kubernetes API while watching build pod {name}: {watchError.Message}");
            yield break;
        }

        bool succeeded;
        if (observed.Gone)
        {
            // Deleted by another watcher or the cleaner. Its last state says how it ended; without one (a list found
            // nothing), the image itself does: a finished build pushed it.
            succeeded = observed.Pod?.Status?.Phase switch
            {
                "Succeeded" => true,
                "Failed" => false,
                _ => (await _registry.LookupAsync(request.ImageName, cancellationToken).ConfigureAwait(false)).Exists,
            };
        }
        else
        {
            succeeded = observed.Pod!.Status?.Phase == "Succeeded";
            var deleted = await _api.DeletePodAsync(name, cancellationToken).ConfigureAwait(false);
            if (deleted.Error is { } deleteError) LogDeleteFailed(name, deleteError.ToString());
            else if (deleted.Value) LogDeleted(name, observed.Pod.Status?.Phase ?? "");
        }

        if (succeeded && log.Failure is null)
        {
            LogSucceeded(name, request.ImageName);
            yield break;
        }
        var failure = log.Describe(name, observed);
        LogFailed(name, failure);
        yield return BinderEvent.Failed(failure);
    }

    /// <summary>
    /// BinderHub's sticky builds: the node, among those running a builder daemon pod, that rendezvous hashing gives
    /// this repository; null (spread builds instead) when there are none or they cannot be listed.
    /// </summary>
    private async Task<string?> StickyNodeAsync(string repoUrl, CancellationToken cancellationToken)
    {
        var builders = await _api.ListPodsAsync(BuildPod.BuilderDaemonSelector, null, cancellationToken).ConfigureAwait(false);
        if (builders.Error is { } error)
        {
            LogStickyLookupFailed(error.ToString());
            return null;
        }
        return StickyBuilds.PreferredNode(repoUrl, builders.Value.Items.Select(p => p.Spec?.NodeName).OfType<string>());
    }

    /// <summary>The builder container still runs: a log stream that ended now broke, and is reopened.</summary>
    private static bool IsRunning(V1Pod pod) =>
        pod.Status?.Phase == "Running" && BuildPod.Builder(pod)?.State?.Terminated is null;

    /// <summary>The relayed log: how many lines, the last few, the current phase, and a failure repo2docker reported.</summary>
    private sealed class LogTail(int keep)
    {
        private readonly Queue<string> _last = new();
        private string? _phase;

        public int Delivered { get; private set; }

        public BinderEvent? Failure { get; set; }

        public BinderEvent? Add(string line)
        {
            Delivered++;
            var e = Repo2DockerLog.Parse(line, _phase);
            if (e is null) return null;
            if (e.Phase != BinderPhase.Failed) _phase = e.Phase;
            if (e.Message is { Length: > 0 } message)
            {
                _last.Enqueue(message.TrimEnd('\n'));
                if (_last.Count > keep) _last.Dequeue();
            }
            return e;
        }

        /// <summary>The <c>failed</c> message: repo2docker's own error if it printed one, else how the pod ended, then the last lines.</summary>
        public string Describe(string name, PodObservation observed)
        {
            var pod = observed.Pod;
            var terminated = pod is null ? null : BuildPod.Builder(pod)?.State?.Terminated;
            var how = observed.Gone && pod?.Status?.Phase is not ("Failed" or "Succeeded")
                ? $"The build pod {name} was deleted before it finished."
                : $"The build pod {name} failed" + Detail(pod?.Status, terminated) + ".";
            var text = Failure?.Message?.TrimEnd('\n') is { Length: > 0 } reported ? reported + "\n" + how : how;
            if (_last.Count > 0) text += "\nLast log lines:\n" + string.Join('\n', _last);
            return text;
        }

        private static string Detail(V1PodStatus? status, V1ContainerStateTerminated? terminated)
        {
            var parts = new List<string>();
            if (status?.Reason is { Length: > 0 } reason) parts.Add(reason);
            if (status?.Message is { Length: > 0 } message) parts.Add(message);
            if (terminated is not null)
            {
                parts.Add($"{terminated.Reason ?? "terminated"}, exit code {terminated.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                if (terminated.Message is { Length: > 0 } detail) parts.Add(detail);
            }
            return parts.Count == 0 ? "" : ": " + string.Join("; ", parts);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created build pod {Pod} in namespace {Namespace} for {RepoUrl} at {Ref}")]
    private partial void LogCreated(string pod, string @namespace, string repoUrl, string @ref);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing builder daemon pods for sticky builds failed; spreading this build instead: {Error}")]
    private partial void LogStickyLookupFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Build pod {Pod} exists already; attaching to it")]
    private partial void LogAttached(string pod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Creating build pod {Pod} failed: {Error}")]
    private partial void LogCreateFailed(string pod, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "No log from build pod {Pod}: {Error}")]
    private partial void LogNoLog(string pod, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log stream of build pod {Pod} broke: {Error}")]
    private partial void LogLogBroke(string pod, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching build pod {Pod} failed: {Error}")]
    private partial void LogWatchFailed(string pod, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting build pod {Pod} failed (the cleaner will retry): {Error}")]
    private partial void LogDeleteFailed(string pod, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted build pod {Pod} ({Phase})")]
    private partial void LogDeleted(string pod, string phase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Build pod {Pod} built {Image}")]
    private partial void LogSucceeded(string pod, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Build pod {Pod} failed: {Failure}")]
    private partial void LogFailed(string pod, string failure);
}
