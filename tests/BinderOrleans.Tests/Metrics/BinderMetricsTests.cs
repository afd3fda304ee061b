using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Tests.Grains;

namespace BinderOrleans.Tests.Metrics;

public sealed class BinderMetricsTests
{
    private static LaunchSpec Spec => new("fake", "owner/repo/HEAD", "127.0.0.1", "http://127.0.0.1:8585/");

    [Fact]
    public async Task BuildAndLaunch_AreCounted_WithBinderHubNamesAndLabels()
    {
        await using var rig = await GrainRig.StartAsync();
        await GrainRig.CollectAsync(rig.Launch(Spec).Events);
        var text = rig.Metrics.Registry.Render();

        Assert.Contains("binderhub_build_count_total{status=\"success\",provider=\"Fake\",repo=\"https://example.invalid/owner/repo/HEAD\"} 1", text);
        Assert.Contains("binderhub_launch_count_total{status=\"success\",provider=\"Fake\",repo=\"https://example.invalid/owner/repo/HEAD\"} 1", text);
        Assert.Contains("binderhub_build_time_seconds_bucket{status=\"success\",le=\"60\"} 1", text);
        Assert.Contains("binderhub_launch_time_seconds_count{status=\"success\",retries=\"0\"} 1", text);
        Assert.Contains("binderhub_inprogress_builds 0", text);
        Assert.Contains("binderhub_inprogress_launches 0", text);
        Assert.Contains("# TYPE binderhub_build_time_seconds histogram", text);
    }

    [Fact]
    public async Task LaunchTime_RetriesLabel_IsTheLaunchersRetryCount()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Launcher.Outcome = new BinderEvent { Phase = BinderPhase.Ready, Url = "http://127.0.0.1:9100/", Token = "t", Retries = 2 };
        await GrainRig.CollectAsync(rig.Launch(Spec).Events);

        Assert.Equal(1, rig.Metrics.LaunchTime.Count("success", "2"));
        Assert.Contains("binderhub_launch_time_seconds_count{status=\"success\",retries=\"2\"} 1", rig.Metrics.Registry.Render());
    }

    [Fact]
    public async Task FailedLaunch_RetriesLabel_IsMinusOne()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Launcher.Outcome = BinderEvent.Failed("no room", 500);
        await GrainRig.CollectAsync(rig.Launch(Spec).Events);

        Assert.Equal(1, rig.Metrics.LaunchTime.Count("failure", "-1"));
    }

    [Fact]
    public void ProcessRegistry_CarriesProcessAndRuntimeMetrics_BesideBinderHubs()
    {
        using var registry = PrometheusRegistry.CreateWithProcessMetrics();
        _ = new BinderMetrics(registry);
        GC.Collect();

        var text = registry.Render();

        Assert.Contains("\nprocess_cpu_seconds_total ", text);
        Assert.Contains("\nprocess_start_time_seconds ", text);
        Assert.Contains("\nprocess_working_set_bytes ", text);
        Assert.Contains("dotnet_collection_count_total{generation=\"0\"}", text);
        Assert.Contains("\nsystem_runtime_dotnet_gc_collections", text);
        Assert.Contains("binderhub_inprogress_builds 0", text);
    }

    [Fact]
    public async Task CachedImage_IsNotABuild()
    {
        await using var rig = await GrainRig.StartAsync();
        await GrainRig.CollectAsync(rig.Launch(Spec).Events);
        await GrainRig.CollectAsync(rig.Launch(Spec).Events);
        Assert.Equal(1, rig.Metrics.BuildCount.Value("success", "Fake", "https://example.invalid/owner/repo/HEAD"));
        Assert.Equal(2, rig.Metrics.LaunchCount.Value("success", "Fake", "https://example.invalid/owner/repo/HEAD"));
    }

    [Fact]
    public async Task QuotaRefusal_IsCountedUnderItsReason()
    {
        await using var rig = await GrainRig.StartAsync();
        rig.Quota.Decision = new QuotaDecision(false, "Too many users running x! Try again soon.", "repo_quota");
        await GrainRig.CollectAsync(rig.Launch(Spec).Events);
        Assert.Equal(1, rig.Metrics.LaunchCount.Value("repo_quota", "Fake", "https://example.invalid/owner/repo/HEAD"));
    }

    [Fact]
    public void Histogram_BucketsAreCumulative_AndLabelsEscaped()
    {
        var registry = new PrometheusRegistry();
        var h = registry.Histogram("t_seconds", "help", [1, 10], "repo");
        h.Observe(0.5, "a\"b");
        h.Observe(5, "a\"b");
        h.Observe(50, "a\"b");
        var text = registry.Render();
        Assert.Contains("t_seconds_bucket{repo=\"a\\\"b\",le=\"1\"} 1", text);
        Assert.Contains("t_seconds_bucket{repo=\"a\\\"b\",le=\"10\"} 2", text);
        Assert.Contains("t_seconds_bucket{repo=\"a\\\"b\",le=\"+Inf\"} 3", text);
        Assert.Contains("t_seconds_sum{repo=\"a\\\"b\"} 55.5", text);
    }
}
