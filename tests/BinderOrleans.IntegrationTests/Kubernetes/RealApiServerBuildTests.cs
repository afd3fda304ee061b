using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Kubernetes;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>
/// The Kubernetes build backend against a real kube-apiserver 1.20: the server's own validation, 409, watches,
/// deletes and the log proxy. <see cref="TestKubelet"/> plays the node (binding, status, container logs). What a 1.20
/// server without a node cannot show on demand (410 Gone after compaction, broken log streams, an unreachable server
/// mid-build) stays with the fake API server in BinderOrleans.Tests.
/// </summary>
[Collection(KubeApiServerCollection.Name)]
public sealed class RealApiServerBuildTests(KubeApiServerFixture fixture) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));
    private readonly List<IDisposable> _owned = [];

    private KubeApiServer Server => fixture.Server;

    private TestKubelet Kubelet => fixture.Kubelet;

    private CancellationToken Timeout => _timeout.Token;

    [Fact]
    public async Task BuildPodSpec_PassesTheServersValidation_WithResourcesTolerationsNodeSelectorAndStickyAffinity()
    {
        var ns = await Server.CreateNamespaceAsync("spec", Timeout);
        var options = Options(ns, o =>
        {
            o.Push = true;
            o.NodeSelector["mybinder.org/pool-type"] = "users";
            o.ImagePullSecrets.Add("pull-secret");
            o.BuildMemoryRequest = "1G";
            o.BuildMemoryLimit = "2G";
            o.BuildCpuRequest = "100m";
            o.BuildCpuLimit = "1";
        });
        var api = Api(options);

        var sticky = await api.CreatePodAsync(BuildPod.Create(Request("build-sticky"), options, stickyNode: "node-a"), Timeout);
        var spread = await api.CreatePodAsync(BuildPod.Create(Request("build-spread"), options), Timeout);
        var inverted = Options(ns, o => { o.BuildMemoryRequest = "4G"; o.BuildMemoryLimit = "2G"; });
        var refused = await api.CreatePodAsync(BuildPod.Create(Request("build-refused"), inverted), Timeout);

        Assert.Equal(CreatePodOutcome.Created, sticky.Outcome);
        Assert.Equal(CreatePodOutcome.Created, spread.Outcome);
        var stored = await Server.Admin.CoreV1.ReadNamespacedPodAsync("build-sticky", ns, cancellationToken: Timeout);
        var resources = stored.Spec.Containers[0].Resources;
        Assert.Equal(2147483648m, resources.Limits["memory"].ToDecimal());
        Assert.Equal(1073741824m, resources.Requests["memory"].ToDecimal());
        Assert.Equal(0.1m, resources.Requests["cpu"].ToDecimal());
        Assert.Equal(1m, resources.Limits["cpu"].ToDecimal());
        var term = Assert.Single(stored.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal(["node-a"], Assert.Single(term.Preference.MatchExpressions).Values);
        Assert.Equal(2, stored.Spec.Tolerations.Count(t => t.Value == "user"));
        Assert.Equal("users", stored.Spec.NodeSelector["mybinder.org/pool-type"]);
        Assert.False(stored.Spec.AutomountServiceAccountToken);
        Assert.NotNull((await Server.Admin.CoreV1.ReadNamespacedPodAsync("build-spread", ns, cancellationToken: Timeout)).Spec.Affinity.PodAntiAffinity);
        // The server's own rule, which Kubernetes:BuildMemoryRequest's validation at start mirrors.
        Assert.Equal(CreatePodOutcome.Failed, refused.Outcome);
        Assert.Equal(422, refused.Error!.Code);
        Assert.Contains("must be less than or equal to memory limit", refused.Error.Message);
    }

    [Fact]
    public async Task TwoReplicas_RaceForOnePod_OneCreatesOneAttaches_BothRelayTheLogThroughTheNodeProxy_AndThePodIsDeleted()
    {
        var ns = await Server.CreateNamespaceAsync("race", Timeout);
        var options = Options(ns, o => o.WatchTimeout = TimeSpan.FromSeconds(2));
        var request = Request("build-race");
        var first = BuildRun.Start(Builder(options), request, Timeout);
        var second = BuildRun.Start(Builder(options), request, Timeout);

        await WaitForPodAsync(ns, request.BuildName);
        // A few empty watch windows go by (timeoutSeconds=2) before the node takes the pod.
        await Task.Delay(TimeSpan.FromSeconds(3), Timeout);
        await Kubelet.BindAsync(ns, request.BuildName, Timeout);
        await Kubelet.RunAsync(ns, request.BuildName, Timeout);
        Kubelet.AppendLog(ns, request.BuildName, Line("fetching", "Picked Git content provider."), Line("building", "Step 1/2"));
        await first.WaitForAsync(e => e.Count == 2, Wait);
        await second.WaitForAsync(e => e.Count == 2, Wait);
        Kubelet.AppendLog(ns, request.BuildName, Line("building", "Step 2/2"));
        // The pod pushed its image, then ended. The replica that sees the end first deletes the pod; the other may find
        // it gone before it saw the final status, and then the registry tells it the build succeeded.
        _registry.Add(request.ImageName);
        await Kubelet.SucceedAsync(ns, request.BuildName, Timeout);

        var a = await first.FinishAsync(Wait);
        var b = await second.FinishAsync(Wait);
        Assert.Equal(["Picked Git content provider.\n", "Step 1/2\n", "Step 2/2\n"], a.Select(e => e.Message));
        Assert.Equal(a, b);
        Assert.DoesNotContain(a, e => e.Phase == BinderPhase.Failed);
        Assert.Contains(Kubelet.LogRequests, r => r.StartsWith($"/containerLogs/{ns}/{request.BuildName}/builder", StringComparison.Ordinal) && r.Contains("follow=true"));
        await AssertGoneAsync(ns, request.BuildName);
    }

    [Fact]
    public async Task FailedPod_GivesItsReasonAndExitCode_AndIsDeleted()
    {
        var ns = await Server.CreateNamespaceAsync("fail", Timeout);
        var request = Request("build-fail");
        var run = BuildRun.Start(Builder(Options(ns)), request, Timeout);
        await WaitForPodAsync(ns, request.BuildName);
        await Kubelet.BindAsync(ns, request.BuildName, Timeout);
        await Kubelet.RunAsync(ns, request.BuildName, Timeout);
        Kubelet.AppendLog(ns, request.BuildName, Line("building", "Collecting numpy"));
        await run.WaitForAsync(e => e.Count == 1, Wait);
        await Kubelet.FailAsync(ns, request.BuildName, 137, "OOMKilled", Timeout);

        var failed = (await run.FinishAsync(Wait))[^1];
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Contains("OOMKilled, exit code 137", failed.Message);
        Assert.Contains("Collecting numpy", failed.Message);
        await AssertGoneAsync(ns, request.BuildName);
    }

    [Fact]
    public async Task PodDeletedByAnotherReplica_MidWatch_EndsTheBuildAsFailed()
    {
        var ns = await Server.CreateNamespaceAsync("deleted", Timeout);
        var request = Request("build-deleted");
        var run = BuildRun.Start(Builder(Options(ns)), request, Timeout);
        await WaitForPodAsync(ns, request.BuildName);
        await Task.Delay(TimeSpan.FromSeconds(1), Timeout);
        await Api(Options(ns)).DeletePodAsync(request.BuildName, Timeout);

        var failed = Assert.Single(await run.FinishAsync(Wait));
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Contains("deleted before it finished", failed.Message);
    }

    [Fact]
    public async Task Cleaner_DeletesFinishedAndStaleBuildPods_AndKeepsTheRest()
    {
        var ns = await Server.CreateNamespaceAsync("cleaner", Timeout);
        var options = Options(ns, o => o.MaxBuildAge = TimeSpan.FromHours(4));
        var api = Api(options);
        foreach (var name in new[] { "build-done", "build-busy", "build-queued" })
        {
            await api.CreatePodAsync(BuildPod.Create(Request(name), options), Timeout);
        }
        await Kubelet.BindAsync(ns, "build-done", Timeout);
        await Kubelet.RunAsync(ns, "build-done", Timeout);
        await Kubelet.SucceedAsync(ns, "build-done", Timeout);
        await Kubelet.BindAsync(ns, "build-busy", Timeout);
        await Kubelet.RunAsync(ns, "build-busy", Timeout);

        var cleaner = new BuildPodCleaner(api, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<BuildPodCleaner>.Instance);
        var deleted = await cleaner.CleanupAsync(Timeout);
        var later = new BuildPodCleaner(api, Microsoft.Extensions.Options.Options.Create(options), new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromHours(5)), NullLogger<BuildPodCleaner>.Instance);
        var stale = await later.CleanupAsync(Timeout);

        Assert.Equal(["build-done"], deleted);
        // Five hours on, the running pod is too old; the pending one never started, so it has no age yet.
        Assert.Equal(["build-busy"], stale);
        Assert.NotNull(await Server.Admin.CoreV1.ReadNamespacedPodAsync("build-queued", ns, cancellationToken: Timeout));
    }

    private KubernetesOptions Options(string ns, Action<KubernetesOptions>? change = null)
    {
        var options = new KubernetesOptions { Kubeconfig = Server.Kubeconfig, Namespace = ns };
        change?.Invoke(options);
        return options;
    }

    private PodApi Api(KubernetesOptions options)
    {
        var api = fixture.OpenPodApi(options);
        _owned.Add(api);
        return api;
    }

    /// <summary>The registry build pods push to: a test adds the image before it lets a pod succeed, as a real build would.</summary>
    private readonly PushedImages _registry = new();

    private KubernetesImageBuilder Builder(KubernetesOptions options) =>
        new(Api(options), _registry, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<KubernetesImageBuilder>.Instance);

    private static BuildRequest Request(string buildName) =>
        new("registry.example.org/binder/r2d-owner-2drepo:0123456789abcdef", buildName, "https://github.com/owner/repo", "0123456789abcdef", "gh", null, "GitHub");

    private static string Line(string phase, string message) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["phase"] = phase, ["message"] = message + "\n" });

    private async Task WaitForPodAsync(string ns, string name)
    {
        for (var i = 0; i < 600; i++)
        {
            var list = await Server.Admin.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=" + name, cancellationToken: Timeout);
            if (list.Items.Count > 0) return;
            await Task.Delay(100, Timeout);
        }
        throw new TimeoutException($"pod {ns}/{name} was not created");
    }

    private async Task AssertGoneAsync(string ns, string name)
    {
        var error = await Assert.ThrowsAsync<HttpOperationException>(() => Server.Admin.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: Timeout));
        Assert.Equal(HttpStatusCode.NotFound, error.Response.StatusCode);
    }

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _timeout.Dispose();
    }
}
