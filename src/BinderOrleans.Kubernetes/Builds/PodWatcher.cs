using BinderOrleans.Kubernetes.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// Waits for one pod to reach a state: list (for the current state and a resource version), then watch from that
/// version, re-armed after each server timeout; a 410 Gone means the version is too old, so list again. Unlike
/// BinderHub's watch, which restarts without a version, no change is missed between two watch windows, and a pod
/// deleted meanwhile is noticed by the next list instead of being watched forever.
/// </summary>
internal sealed partial class PodWatcher
{
    /// <summary>Consecutive failed API calls before giving up (with 1, 2, 4, 8 s between them).</summary>
    public const int MaxFailures = 5;

    private readonly PodApi _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PodWatcher(PodApi api, TimeProvider time, ILogger logger)
    {
        _api = api;
        _time = time;
        _logger = logger;
    }

    public static bool HasStarted(V1Pod pod) => pod.Status?.Phase is "Running" or "Succeeded" or "Failed";

    public static bool HasFinished(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>Returns when <paramref name="until"/> holds for the pod, when the pod is gone, or when the API stays unreachable.</summary>
    public async Task<PodObservation> WaitAsync(string name, Func<V1Pod, bool> until, CancellationToken cancellationToken)
    {
        var selector = BuildPod.SelectorFor(name);
        string? resourceVersion = null;
        var failures = 0;
        var relists = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (resourceVersion is null)
            {
                var list = await _api.ListPodsAsync(selector, null, cancellationToken).ConfigureAwait(false);
                if (list.Error is { } listError)
                {
                    if (++failures >= MaxFailures) return PodObservation.Failed(listError);
                    await BackOffAsync(name, failures, listError, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                failures = 0;
                var current = list.Value.Items.FirstOrDefault(p => p.Name() == name);
                if (current is null) return PodObservation.Deleted(null);
                if (until(current)) return PodObservation.Seen(current);
                resourceVersion = list.Value.Metadata.ResourceVersion ?? current.Metadata.ResourceVersion;
            }

            var started = _time.GetTimestamp();
            var events = 0;
            KubeError? error = null;
            await foreach (var e in _api.WatchPodsAsync(selector, resourceVersion, cancellationToken).ConfigureAwait(false))
            {
                events++;
                if (e.Error is { } watchError)
                {
                    error = watchError;
                    break;
                }
                relists = 0;
                if (e.Pod?.Metadata.ResourceVersion is { Length: > 0 } version) resourceVersion = version;
                if (e.Pod is not { } pod || pod.Name() != name) continue;
                switch (e.Type)
                {
                    case WatchEventType.Deleted:
                        return PodObservation.Deleted(pod);
                    case WatchEventType.Added or WatchEventType.Modified when until(pod):
                        return PodObservation.Seen(pod);
                }
            }

            if (error is { IsGone: true })
            {
                if (++relists > MaxFailures) return PodObservation.Failed(error);
                LogRelist(name, resourceVersion);
                resourceVersion = null;
                continue;
            }
            if (error is not null)
            {
                if (++failures >= MaxFailures) return PodObservation.Failed(error);
                await BackOffAsync(name, failures, error, cancellationToken).ConfigureAwait(false);
                // After an outage, start over from a list: the pod may have finished or gone meanwhile.
                resourceVersion = null;
                continue;
            }
            failures = 0;
            // A server that closes an empty watch at once would make this loop spin; pause a moment instead.
            if (events == 0 && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(1))
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task BackOffAsync(string name, int failures, KubeError error, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromSeconds(Math.Pow(2, failures - 1));
        LogRetry(name, error.ToString(), delay);
        return Task.Delay(delay, _time, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resource version {ResourceVersion} expired while watching pod {Pod}; listing again")]
    private partial void LogRelist(string pod, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching pod {Pod} failed ({Error}); retrying in {Delay}")]
    private partial void LogRetry(string pod, string error, TimeSpan delay);
}
