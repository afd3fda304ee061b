namespace BinderOrleans.Core.Metrics;

/// <summary>
/// BinderHub's metric names, types, labels and buckets, so existing Grafana dashboards keep working; kept in
/// prometheus-net (<see cref="PrometheusRegistry"/>).
/// </summary>
public sealed class BinderMetrics
{
    public BinderMetrics(PrometheusRegistry registry)
    {
        Registry = registry;
        BuildTime = registry.Histogram("binderhub_build_time_seconds", "Histogram of build times", [60, 120, 300, 600, 1800, 3600, 7200], "status");
        LaunchTime = registry.Histogram("binderhub_launch_time_seconds", "Histogram of launch times", [2, 5, 10, 20, 30, 60, 120, 300, 600], "status", "retries");
        BuildCount = registry.Counter("binderhub_build_count", "Counter of builds by repo", "status", "provider", "repo");
        LaunchCount = registry.Counter("binderhub_launch_count", "Counter of launches by repo", "status", "provider", "repo");
        InProgressBuilds = registry.Gauge("binderhub_inprogress_builds", "Builds currently in progress");
        InProgressLaunches = registry.Gauge("binderhub_inprogress_launches", "Launches currently in progress");
        GitHubRateLimitRemaining = registry.Gauge("binderhub_github_rate_limit_remaining", "GitHub rate limit remaining");
        // BinderHub has no image retention; these are ours.
        ImagesRemoved = registry.Counter("binderorleans_retention_images_removed", "Images deleted by the retention policy", "store");
        ImageBytesRemoved = registry.Counter("binderorleans_retention_bytes_removed", "Bytes freed by the retention policy (before a registry's garbage collection)", "store");
    }

    public PrometheusRegistry Registry { get; }
    public Histogram BuildTime { get; }
    public Histogram LaunchTime { get; }
    public Counter BuildCount { get; }
    public Counter LaunchCount { get; }
    public Gauge InProgressBuilds { get; }
    public Gauge InProgressLaunches { get; }
    public Gauge GitHubRateLimitRemaining { get; }
    public Counter ImagesRemoved { get; }
    public Counter ImageBytesRemoved { get; }
}
