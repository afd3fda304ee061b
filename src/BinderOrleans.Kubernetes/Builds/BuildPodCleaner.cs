using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Core.Hosting;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// BinderHub's <c>KubernetesCleaner</c>: every <c>Kubernetes:CleanupInterval</c>, in every replica, deletes build pods
/// that finished (Succeeded, Failed — evicted pods are Failed too) and those started more than
/// <c>Kubernetes:MaxBuildAge</c> ago. It catches pods whose watchers all left, and builds that hang.
/// </summary>
internal sealed partial class BuildPodCleaner : PeriodicService
{
    private readonly PodApi _api;
    private readonly KubernetesOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BuildPodCleaner(PodApi api, IOptions<KubernetesOptions> options, TimeProvider time, ILogger<BuildPodCleaner> logger)
        : base(options.Value.CleanupInterval, time)
    {
        _api = api;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override Task RunPassAsync(CancellationToken cancellationToken) => CleanupAsync(cancellationToken);

    /// <summary>One sweep; returns the names of the pods it deleted.</summary>
    public async Task<IReadOnlyList<string>> CleanupAsync(CancellationToken cancellationToken)
    {
        var list = await _api.ListPodsAsync(BuildPod.ComponentSelector, null, cancellationToken).ConfigureAwait(false);
        if (list.Error is { } error)
        {
            LogListFailed(error.ToString());
            return [];
        }
        var now = _time.GetUtcNow();
        var deleted = new List<string>();
        foreach (var pod in list.Value.Items)
        {
            if (Why(pod, now) is not { } why) continue;
            var result = await _api.DeletePodAsync(pod.Name(), cancellationToken).ConfigureAwait(false);
            if (result.Error is { } deleteError)
            {
                LogDeleteFailed(pod.Name(), deleteError.ToString());
            }
            else if (result.Value)
            {
                deleted.Add(pod.Name());
                LogDeleted(pod.Name(), why);
            }
        }
        return deleted;
    }

    private string? Why(V1Pod pod, DateTimeOffset now)
    {
        var phase = pod.Status?.Phase;
        if (phase is "Succeeded" or "Failed") return pod.Status?.Reason is { Length: > 0 } reason ? $"{phase} ({reason})" : phase;
        if (pod.Status?.StartTime is { } started && now - BuildPod.Utc(started) > _options.MaxBuildAge) return $"started {started:u}, older than {_options.MaxBuildAge}";
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing build pods for cleanup failed: {Error}")]
    private partial void LogListFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaner could not delete build pod {Pod}: {Error}")]
    private partial void LogDeleteFailed(string pod, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaner deleted build pod {Pod}: {Reason}")]
    private partial void LogDeleted(string pod, string reason);
}
