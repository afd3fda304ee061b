using System.Text.Json.Nodes;
using BinderOrleans.Kubernetes.Builds;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Kubernetes;

public sealed class BuildPodCleanerTests
{
    [Fact]
    public async Task Cleanup_DeletesFinishedAndTooOldBuildPods_Only()
    {
        await using var rig = await KubeRig.StartAsync();
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        rig.Api.AddPod(BuildPod("build-done"), "Succeeded", now.AddMinutes(-10));
        rig.Api.AddPod(BuildPod("build-broken"), "Failed", now.AddMinutes(-10));
        rig.Api.AddPod(BuildPod("build-stuck"), "Running", now.AddHours(-4).AddMinutes(-1));
        rig.Api.AddPod(BuildPod("build-busy"), "Running", now.AddHours(-3).AddMinutes(-59));
        rig.Api.AddPod(BuildPod("build-queued"), "Pending");
        rig.Api.AddPod(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "jupyter-someone", ["labels"] = new JsonObject { ["component"] = "singleuser-server" } } },
            "Succeeded", now.AddDays(-2));
        var options = rig.Options();
        var cleaner = new BuildPodCleaner(rig.Client(options), Options.Create(options), new FakeTimeProvider(now), NullLogger<BuildPodCleaner>.Instance);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var deleted = await cleaner.CleanupAsync(cts.Token);

        Assert.Equal(["build-broken", "build-done", "build-stuck"], deleted.Order(StringComparer.Ordinal));
        Assert.Equal(deleted.Order(StringComparer.Ordinal), rig.Api.Deletions.Order(StringComparer.Ordinal));
        Assert.NotNull(rig.Api.Pod("build-busy"));
        Assert.NotNull(rig.Api.Pod("build-queued"));
        Assert.NotNull(rig.Api.Pod("jupyter-someone"));
        Assert.Contains(rig.Api.Requests, r => r.IsList && r.Query.Contains("labelSelector=component%3Dbinderhub-build"));
        Assert.All(rig.Api.Requests.Where(r => r.Method == "DELETE"), r => Assert.Contains("gracePeriodSeconds=0", r.Query));
    }

    private static JsonObject BuildPod(string name) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["name"] = name, ["component"] = "binderhub-build" },
        },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "builder" }) },
    };
}
