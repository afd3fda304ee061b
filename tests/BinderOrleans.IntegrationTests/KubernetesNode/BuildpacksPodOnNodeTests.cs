using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;
using BinderOrleans.IntegrationTests.Registry;
using BinderOrleans.Testing;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>
/// <c>Build:Backend=kubernetes</c> with <c>Kubernetes:Builder=buildpacks</c> on the real node: the service (a server
/// process on the machine, as a replica outside the cluster) creates build pods that run the service image's
/// <c>build</c> command in the node's network, build through the node's own Docker daemon and push to Debian's
/// docker-registry on loopback. Each test has a namespace, a registry and a push secret of its own.
/// </summary>
[Collection(KubeNodeCollection.Name)]
public sealed class BuildpacksPodOnNodeTests(KubeNodeFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim LoadGate = new(1, 1);
    private static readonly HashSet<string> Loaded = [];
    private const string BuildPodSelector = "component=binderhub-build";

    private readonly string _namespace = "buildpacks-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<GitRepo> _repos = [];
    private readonly List<ServerProcess> _servers = [];
    private TestRegistry _registry = null!;
    private string _image = "";

    private IKubernetes Admin => fixture.Node.Admin;

    public async Task InitializeAsync()
    {
        _image = await ServiceImage.GetAsync().WaitAsync(ServiceImage.BuildTimeout);
        await LoadServiceImageAsync();
        _registry = await TestRegistry.StartAsync(RegistryAuthMode.None).WaitAsync(CallTimeout);
        using var timeout = new CancellationTokenSource(CallTimeout);
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = _namespace } }, cancellationToken: timeout.Token);
        // Pods are admitted once the controller-manager has made the namespace's default service account.
        while (true)
        {
            var accounts = await Admin.CoreV1.ListNamespacedServiceAccountAsync(_namespace, cancellationToken: timeout.Token);
            if (accounts.Items.Any(a => a.Metadata.Name == "default")) break;
            await Task.Delay(200, timeout.Token);
        }
        // The push secret BinderHub's build pods mount (an open registry: no credentials in it).
        await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "binder-build-docker-config" },
            StringData = new Dictionary<string, string> { ["config.json"] = new JsonObject { ["auths"] = new JsonObject { [_registry.Host] = new JsonObject() } }.ToJsonString() },
        }, _namespace, cancellationToken: timeout.Token);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
        foreach (var repo in _repos) repo.Dispose();
        if (_registry is not null) await _registry.DisposeAsync();
        using var timeout = new CancellationTokenSource(CallTimeout);
        try
        {
            await Admin.CoreV1.DeleteNamespaceAsync(_namespace, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: timeout.Token);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    [Fact]
    public async Task BuildPod_RunsOnTheNode_StreamsItsLog_PushesToTheRegistry_IsCleanedUp_AndTheImageIsFoundNextTime()
    {
        var marker = Guid.NewGuid().ToString("N");
        var path = Serve(GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"""
                FROM {KubeNodeFixture.BaseImage}
                RUN echo "built by a build pod {marker}" | tee /tmp/marker
                USER jovyan
                WORKDIR /home/jovyan
                """,
        }), "buildpacks-small");
        var server = await StartReplicaAsync();

        V1Pod? running = null;
        var clock = Stopwatch.StartNew();
        var messages = await StreamAsync(server, path, async m =>
        {
            if (running is null && m.Event.Phase == BinderPhase.Fetching) running = Assert.Single(await BuildPodsAsync());
        });
        output.WriteLine($"small build through a buildpacks build pod on the node, pushed to the registry: {clock.Elapsed.TotalSeconds:F1} s");

        var log = Describe(messages);
        Assert.DoesNotContain(messages, m => m.Event.Phase == BinderPhase.Failed);
        // Scheduled on the node, running the service image in the node's network.
        Assert.NotNull(running);
        Assert.Equal(fixture.Node.NodeName, running.Spec.NodeName);
        Assert.Equal("Running", running.Status.Phase);
        Assert.True(running.Spec.HostNetwork);
        Assert.Equal(_image, running.Spec.Containers[0].Image);
        Assert.Equal("build", running.Spec.Containers[0].Args[0]);
        // Its log reached the client as events, phase by phase.
        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Fetching && m.Event.Message!.StartsWith("Cloning into", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Building && m.Event.Message == "Using DockerBuildPack builder\n");
        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Building && m.Event.Message == $"built by a build pod {marker}\n");
        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Pushing);
        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready && ready.Message == "Done! Image built\n", log);

        Assert.True(await InRegistryAsync(ready.ImageName!), $"{ready.ImageName} is not in the registry:\n{log}");
        await WaitNoBuildPodsAsync();

        clock.Restart();
        var again = await StreamAsync(server, path, _ => Task.CompletedTask);
        output.WriteLine($"the same request again (image found in the registry): {clock.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain(again, m => m.Event.Phase is BinderPhase.Fetching or BinderPhase.Building or BinderPhase.Failed);
        Assert.Equal("Done! Found built image\n", again[^1].Event.Message);
        Assert.Equal(ready.ImageName, again[^1].Event.ImageName);
        Assert.Empty(await BuildPodsAsync());
    }

    [Fact]
    public async Task ReplicaKilledMidBuild_AnotherReplicaReattachesToTheRunningPod_AndReplaysItsWholeLog()
    {
        const int ticks = 8;
        var path = Serve(GitRepo.Ticking(ticks), "buildpacks-killed");
        var doomed = await StartReplicaAsync();
        var survivor = await StartReplicaAsync();

        string? podAtKill = null;
        try
        {
            await StreamAsync(doomed, path, async m =>
            {
                if (podAtKill is null && m.Event.Message?.Contains("tick 2", StringComparison.Ordinal) == true)
                {
                    podAtKill = Assert.Single(await BuildPodsAsync()).Metadata.Uid;
                    doomed.Kill();
                }
            });
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The replica died under the stream.
        }
        Assert.NotNull(podAtKill);
        using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (!doomed.HasExited) await Task.Delay(100, exit.Token);
        }

        string? podAttached = null;
        var messages = await StreamAsync(survivor, path, async m =>
        {
            if (podAttached is null && m.Event.Message?.StartsWith("tick ", StringComparison.Ordinal) == true)
            {
                podAttached = Assert.Single(await BuildPodsAsync()).Metadata.Uid;
            }
        });

        var log = Describe(messages);
        // The same pod, not a second build: its log from the first line, every tick once and in order.
        Assert.Equal(podAtKill, podAttached);
        Assert.DoesNotContain(messages, m => m.Event.Phase == BinderPhase.Failed);
        Assert.Single(messages, m => m.Event.Message?.StartsWith("Cloning into", StringComparison.Ordinal) == true);
        var seen = messages.Select(m => m.Event.Message?.Trim()).Where(t => t?.StartsWith("tick ", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(Enumerable.Range(1, ticks).Select(i => $"tick {i}"), seen);
        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready && ready.Message == "Done! Image built\n", log);
        Assert.True(await InRegistryAsync(ready.ImageName!), log);
        await WaitNoBuildPodsAsync();
    }

    private Dictionary<string, string?> Settings() => new()
    {
        ["Build:Backend"] = "kubernetes",
        ["Kubernetes:Builder"] = "buildpacks",
        ["Kubernetes:BuildImage"] = _image,
        ["Kubernetes:Kubeconfig"] = fixture.Node.Kubeconfig,
        ["Kubernetes:Namespace"] = _namespace,
        ["Kubernetes:DockerHost"] = fixture.Node.DockerHost,
        ["Kubernetes:BuildPodHostNetwork"] = "true",
        ["Build:BaseImage"] = KubeNodeFixture.BaseImage,
        ["Registry:Enabled"] = "true",
        ["Registry:Url"] = _registry.Url.AbsoluteUri.TrimEnd('/'),
        // Not the machine's own ~/.docker/config.json: this registry is open.
        ["Registry:DockerConfig"] = Path.Combine(Path.GetTempPath(), "binder-no-docker-config", "config.json"),
        ["Binder:ImagePrefix"] = $"{_registry.Host}/binder-test-",
        ["Binder:EnableApiOnlyMode"] = "true",
        ["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8",
    };

    private async Task<ServerProcess> StartReplicaAsync()
    {
        var server = await ServerProcess.StartAsync(Settings());
        _servers.Add(server);
        return server;
    }

    private string Serve(GitRepo repo, string name)
    {
        _repos.Add(repo);
        var url = fixture.Git.Serve(repo, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        return $"build/git/{Uri.EscapeDataString(url)}/{repo.Head}?build_only=true";
    }

    /// <summary>A <c>build_only</c> stream to its end, calling <paramref name="onMessage"/> on each event as it comes.</summary>
    private static async Task<List<SseMessage>> StreamAsync(ServerProcess server, string path, Func<SseMessage, Task> onMessage)
    {
        using var timeout = new CancellationTokenSource(StreamTimeout);
        using var response = await SseClient.OpenAsync(server.Client, path, cancellationToken: timeout.Token);
        var messages = new List<SseMessage>();
        try
        {
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: timeout.Token))
            {
                messages.Add(m);
                await onMessage(m);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{path} did not finish within {StreamTimeout}: {Describe(messages)}");
        }
        return messages;
    }

    private async Task<IList<V1Pod>> BuildPodsAsync()
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        return (await Admin.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: BuildPodSelector, cancellationToken: timeout.Token)).Items;
    }

    private async Task WaitNoBuildPodsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var left = await BuildPodsAsync();
            if (left.Count == 0) return;
            if (timeout.IsCancellationRequested) Assert.Fail("build pods left: " + string.Join(", ", left.Select(p => $"{p.Metadata.Name} ({p.Status?.Phase})")));
            await Task.Delay(250, CancellationToken.None);
        }
    }

    /// <summary>Whether the registry serves a manifest for <paramref name="image"/> (<c>host/name:tag</c>).</summary>
    private async Task<bool> InRegistryAsync(string image)
    {
        var (name, tag) = (image[(image.IndexOf('/', StringComparison.Ordinal) + 1)..image.LastIndexOf(':')], image[(image.LastIndexOf(':') + 1)..]);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = CallTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(_registry.Url, $"v2/{name}/manifests/{tag}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.docker.distribution.manifest.v2+json"));
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private async Task LoadServiceImageAsync()
    {
        await LoadGate.WaitAsync();
        try
        {
            if (Loaded.Add(fixture.Node.Directory + " " + _image)) await fixture.Node.LoadImageAsync(_image);
        }
        finally
        {
            LoadGate.Release();
        }
    }

    private static string Describe(List<SseMessage> messages) => string.Join(" | ", messages.Select(m => m.Data));
}
