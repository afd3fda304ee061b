using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Testing;
using BinderOrleans.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>One replica of the service: a Ready pod and the loopback port it took.</summary>
public sealed record Replica(string Pod, int HttpPort)
{
    public Uri BaseUri => new($"http://127.0.0.1:{HttpPort}/");
}

/// <summary>
/// <c>k8s/</c> applied to the real node as an operator does (docs/kubernetes.md), through the test overlay
/// (KubernetesNode/overlay) plus a kustomization of this run that names it as its base and sets what changes every
/// run: the image, the API server's port, the test's redis-server, the node's Docker socket and the ports replicas take.
/// The test plays the Service: it talks to Ready pods directly (no kube-proxy).
/// </summary>
public sealed class BinderDeployment
{
    public const string Namespace = "binder";
    public const string Selector = "app=binder,component=binder";
    private const int PortPairs = 4;

    private readonly KubeNode _node;

    private BinderDeployment(KubeNode node) => _node = node;

    /// <summary>From <c>kubectl apply -k</c> to two Ready replicas in one cluster.</summary>
    public TimeSpan ApplyToReady { get; private set; }

    public static async Task<BinderDeployment> ApplyAsync(KubeNode node, string image, RedisProcess redis, CancellationToken cancellationToken)
    {
        var portLocks = Path.Combine(node.Directory, "binder-ports");
        Directory.CreateDirectory(portLocks);
        // The image's user (uid 1654) takes its ports by locking files here.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(portLocks, (UnixFileMode)0x1FF);
        var ports = string.Join(' ', Enumerable.Range(0, PortPairs).Select(_ => $"{FreePorts.Next()}:{FreePorts.Next()}"));

        var overlay = Path.Combine(node.Directory, "binder-overlay");
        Directory.CreateDirectory(overlay);
        var testOverlay = Path.Combine(ServiceImage.RepositoryRoot, "tests", "BinderOrleans.IntegrationTests", "KubernetesNode", "overlay");
        var (imageName, imageTag) = SplitImage(image);
        await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"), $"""
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            bases:
            - {Path.GetRelativePath(overlay, testOverlay)}
            images:
            - name: registry.example.org/binder/binderorleans
              newName: {imageName}
              newTag: "{imageTag}"
            patchesStrategicMerge:
            - run.json
            """, cancellationToken);
        var run = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "binder", ["namespace"] = Namespace },
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["securityContext"] = new JsonObject { ["supplementalGroups"] = new JsonArray(node.DockerGroup) },
                        ["containers"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "binder",
                            ["env"] = new JsonArray(
                                Env("KUBERNETES_SERVICE_HOST", node.Server.Host),
                                Env("KUBERNETES_SERVICE_PORT", node.Server.Port.ToString(CultureInfo.InvariantCulture)),
                                Env("Orleans__Redis", redis.ConnectionString),
                                Env("BINDER_NODE_PORTS", ports)),
                        }),
                        ["volumes"] = new JsonArray(
                            new JsonObject { ["name"] = "docker-socket", ["hostPath"] = new JsonObject { ["path"] = node.DockerSocketPath, ["type"] = "Socket" } },
                            new JsonObject { ["name"] = "port-locks", ["hostPath"] = new JsonObject { ["path"] = portLocks, ["type"] = "Directory" } }),
                    },
                },
            },
        };
        await File.WriteAllTextAsync(Path.Combine(overlay, "run.json"), run.ToJsonString(), cancellationToken);

        // The operator's path (docs/kubernetes.md): the namespace and the Secret, then the manifests in one go.
        await KubectlOkAsync(node, "create", "namespace", Namespace);
        await KubectlOkAsync(node, "-n", Namespace, "create", "secret", "generic", "binder-secrets",
            "--from-literal=BINDERHUB_BUILD_TOKEN_SECRET=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            "--from-literal=Binder__SessionSecret=" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
        var clock = Stopwatch.StartNew();
        await KubectlOkAsync(node, "apply", "-k", overlay);
        var deployment = new BinderDeployment(node);
        await deployment.WaitForReplicasAsync(2, cancellationToken);
        deployment.ApplyToReady = clock.Elapsed;
        return deployment;
    }

    /// <summary>Runs kubectl as admin and fails the test on a non-zero exit.</summary>
    public static async Task<string> KubectlOkAsync(KubeNode node, params string[] args)
    {
        var (code, output) = await node.KubectlAsync(args);
        Assert.True(code == 0, $"kubectl {string.Join(' ', args)} failed ({code}):\n{output}");
        return output;
    }

    /// <summary>
    /// Waits until exactly <paramref name="count"/> pods are Ready and none is terminating or starting, and every
    /// replica counts <paramref name="count"/> active silos; returns them with their ports.
    /// </summary>
    public async Task<IReadOnlyList<Replica>> WaitForReplicasAsync(int count, CancellationToken cancellationToken)
    {
        var last = "";
        try
        {
            while (true)
            {
                var pods = (await _node.Admin.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: Selector, cancellationToken: cancellationToken)).Items;
                last = string.Join("; ", pods.Select(Describe));
                var ready = pods.Where(IsReady).ToList();
                if (ready.Count == count && pods.Count == count)
                {
                    var replicas = new List<Replica>();
                    foreach (var pod in ready) replicas.Add(new Replica(pod.Metadata.Name, await HttpPortAsync(pod.Metadata.Name, cancellationToken)));
                    var silos = await Task.WhenAll(replicas.Select(r => ActiveSilosAsync(r, cancellationToken)));
                    last += " | active silos: " + string.Join(", ", silos);
                    if (silos.All(s => s == count)) return replicas;
                }
                await Task.Delay(500, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            using var describe = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            throw new TimeoutException($"not {count} Ready replicas in one cluster: {last}\n{await DescribeAsync(describe.Token)}\n--- kubelet:\n{_node.LogTail("kubelet", 2000)}");
        }
    }

    /// <summary>The Ready pods right now (the endpoints a Service would have).</summary>
    public async Task<IReadOnlyList<Replica>> ReadyReplicasAsync(CancellationToken cancellationToken)
    {
        var pods = (await _node.Admin.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: Selector, cancellationToken: cancellationToken)).Items;
        var replicas = new List<Replica>();
        foreach (var pod in pods.Where(IsReady)) replicas.Add(new Replica(pod.Metadata.Name, await HttpPortAsync(pod.Metadata.Name, cancellationToken)));
        return replicas;
    }

    /// <summary>The pods' states and the tail of each one's log, for a failure message.</summary>
    public async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        var pods = (await _node.Admin.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: Selector, cancellationToken: cancellationToken)).Items;
        var text = new System.Text.StringBuilder();
        foreach (var pod in pods)
        {
            text.Append("\n--- ").Append(Describe(pod)).Append('\n');
            try
            {
                var log = await PodLogAsync(pod.Metadata.Name, cancellationToken);
                text.Append(log[Math.Max(0, log.Length - 1500)..]);
            }
            catch (k8s.Autorest.HttpOperationException ex)
            {
                text.Append("(no log: ").Append(ex.Response.StatusCode).Append(')');
            }
        }
        return text.ToString();
    }

    /// <summary>True when the pod is gone or being deleted.</summary>
    public async Task<bool> IsGoneOrTerminatingAsync(string pod, CancellationToken cancellationToken)
    {
        var pods = (await _node.Admin.CoreV1.ListNamespacedPodAsync(Namespace, fieldSelector: "metadata.name=" + pod, cancellationToken: cancellationToken)).Items;
        return pods.Count == 0 || pods[0].Metadata.DeletionTimestamp is not null;
    }

    /// <summary><c>active_silos</c> as the replica's <c>/health</c> reports it; null while it does not answer.</summary>
    public static async Task<int?> ActiveSilosAsync(Replica replica, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var health = await http.GetFromJsonAsync<JsonElement>(new Uri(replica.BaseUri, "health"), cancellationToken);
            return FindActiveSilos(health);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }

    /// <summary>The pod's log (the start step's first line names its ports).</summary>
    public async Task<string> PodLogAsync(string pod, CancellationToken cancellationToken)
    {
        await using var stream = await _node.Admin.CoreV1.ReadNamespacedPodLogAsync(pod, Namespace, container: "binder", cancellationToken: cancellationToken);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private async Task<int> HttpPortAsync(string pod, CancellationToken cancellationToken)
    {
        const string Prefix = "binder-node: http port ";
        var log = await PodLogAsync(pod, cancellationToken);
        var line = log.Split('\n').FirstOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"pod {pod} did not say which port it took:\n{log}");
        return int.Parse(line[Prefix.Length..].Split(',')[0], CultureInfo.InvariantCulture);
    }

    private static int? FindActiveSilos(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.NameEquals("active_silos") && property.Value.ValueKind == JsonValueKind.Number) return property.Value.GetInt32();
                    if (FindActiveSilos(property.Value) is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindActiveSilos(item) is { } found) return found;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null
        && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static string Describe(V1Pod pod) =>
        $"{pod.Metadata.Name} {pod.Status?.Phase}{(pod.Metadata.DeletionTimestamp is null ? "" : " terminating")} ready={IsReady(pod)} "
        + string.Join(",", (pod.Status?.ContainerStatuses ?? []).Select(s => s.State?.Waiting?.Reason ?? s.State?.Terminated?.Reason ?? $"running(restarts {s.RestartCount})"));

    private static JsonObject Env(string name, string value) => new() { ["name"] = name, ["value"] = value };

    private static (string Name, string Tag) SplitImage(string image)
    {
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }
}
