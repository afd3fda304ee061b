using System.Net.Http.Json;
using System.Text.Json;
using BinderOrleans.Testing;
using k8s;
using k8s.Models;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>
/// Orleans' Kubernetes hosting against the real API server: two replica processes (silos sharing a real
/// redis-server) run under pod objects, with the downward-API environment k8s/ gives them. No kubelet runs the
/// processes, so the pods stay Pending; the hosting agent only reads, labels and watches them, which is all it does.
/// </summary>
[Collection(KubeApiServerCollection.Name)]
public sealed class OrleansHostingTests(KubeApiServerFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoSilosUnderPods_LabelTheirPods_AndDeletingAPodMakesTheSurvivorDeclareThatSiloDead()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var api = fixture.Server.Admin;
        // The silos talk to the API server as k8s/'s ServiceAccount, bound only to its Role, as deployed.
        var ns = await ManifestAndRbacTests.ApplyManifestsAsync(fixture.Server, "silo", cts.Token);
        var token = await api.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 3600 } }, "binderhub", ns, cancellationToken: cts.Token);
        var kubeconfig = fixture.Server.WriteKubeconfig("silo-" + ns, token.Status.Token, ns);
        await using var redis = await RedisProcess.StartAsync();
        await using var sandbox = new DockerSandbox();
        var clusterId = "k8s-" + Guid.NewGuid().ToString("N")[..8];
        var settings = sandbox.Settings();
        settings["Orleans:Clustering"] = "redis";
        settings["Orleans:Redis"] = redis.ConnectionString;
        settings["Orleans:ClusterId"] = clusterId;
        settings["Binder:SessionSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        settings["Orleans:Kubernetes"] = "true";
        settings["Orleans:KubeConfig"] = kubeconfig;

        ServerProcess? a = null, b = null;
        try
        {
            foreach (var name in new[] { "replica-a", "replica-b" })
            {
                await api.CoreV1.CreateNamespacedPodAsync(Pod(name), ns, cancellationToken: cts.Token);
            }
            a = await ServerProcess.StartAsync(settings, environment: PodEnvironment("replica-a", ns));
            b = await ServerProcess.StartAsync(settings, environment: PodEnvironment("replica-b", ns));

            // Each silo found its own pod and put the cluster's labels on it.
            foreach (var name in new[] { "replica-a", "replica-b" })
            {
                await WaitUntilAsync(async () =>
                {
                    var labels = (await api.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: cts.Token)).Labels();
                    return labels is not null && labels.TryGetValue("orleans/clusterId", out var cluster) && cluster == clusterId
                        && labels.TryGetValue("orleans/serviceId", out var service) && service == "binderorleans";
                }, cts.Token);
            }
            await WaitUntilAsync(async () => await ActiveSilosAsync(a, cts.Token) is 2, cts.Token);

            // replica-b's process is alive and answering its probes: only the pod's deletion can make it dead.
            await api.CoreV1.DeleteNamespacedPodAsync("replica-b", ns, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: cts.Token);

            await WaitUntilAsync(async () => await ActiveSilosAsync(a, cts.Token) is 1, cts.Token);
            // The dead silo learns it from the membership table and stops serving as a member.
            await WaitUntilAsync(async () => b.HasExited || !await SiloHealthyAsync(b, cts.Token), cts.Token);
        }
        finally
        {
            if (b is not null) await b.DisposeAsync();
            if (a is not null) await a.DisposeAsync();
            await api.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: CancellationToken.None);
        }
    }

    private static V1Pod Pod(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "binderorleans" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "binder", Image = "binderorleans:test" }] },
    };

    private static Dictionary<string, string> PodEnvironment(string pod, string ns) => new()
    {
        ["POD_NAME"] = pod,
        ["POD_NAMESPACE"] = ns,
        ["POD_IP"] = "127.0.0.1",
    };

    private static async Task<int?> ActiveSilosAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        try
        {
            var health = await server.Client.GetFromJsonAsync<JsonElement>("health/silo", cancellationToken);
            return health.GetProperty("active_silos").GetInt32();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task<bool> SiloHealthyAsync(ServerProcess server, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await server.Client.GetAsync("health/silo", cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Polls until <paramref name="probe"/> holds; fails the test after <see cref="Bound"/>.</summary>
    private static Task WaitUntilAsync(Func<Task<bool>> probe, CancellationToken cancellationToken) =>
        Poll.UntilAsync(probe, "the cluster's state", Bound, TimeSpan.FromMilliseconds(250), cancellationToken);
}
