using System.Text.Json.Nodes;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Testing.Kubernetes;

namespace BinderOrleans.Tests.Kubernetes;

public sealed class BuildPodSpecTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task CreatedPod_IsBinderHubsBuildPod_FieldForField()
    {
        await using var rig = await KubeRig.StartAsync();
        var options = rig.Options(o =>
        {
            o.Push = true;
            o.DockerHost = "unix:///var/run/dind/docker.sock";
            o.BuildImage = "quay.io/jupyterhub/repo2docker:2024.07.0";
            o.NodeSelector["mybinder.org/pool-type"] = "users";
            o.ImagePullSecrets.Add("pull-secret");
        });
        var request = KubeRig.Request(credentials: "username=bot\npassword=s3cret");
        var run = BuildRun.Start(rig.Builder(options), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        var pod = rig.Api.Posted(request.BuildName)!;

        Assert.Equal("v1", (string?)pod["apiVersion"]);
        Assert.Equal("Pod", (string?)pod["kind"]);
        var metadata = pod["metadata"]!;
        Assert.Equal(request.BuildName, (string?)metadata["name"]);
        Assert.Equal(Json("""{"name": "build-owner-2drepo-abc123-0123-4f", "component": "binderhub-build"}"""), Json(metadata["labels"]!.ToJsonString()));
        Assert.Equal(Json("""{"binder-repo": "https://github.com/owner/repo"}"""), Json(metadata["annotations"]!.ToJsonString()));

        var spec = pod["spec"]!;
        var container = Assert.Single(spec["containers"]!.AsArray())!;
        Assert.Equal("builder", (string?)container["name"]);
        Assert.Equal("quay.io/jupyterhub/repo2docker:2024.07.0", (string?)container["image"]);
        Assert.Null(container["command"]);
        string[] expectedArgs =
        [
            "jupyter-repo2docker", "--ref=0123456789abcdef", "--image=registry.example.org/binder/r2d-owner-2drepo:0123456789abcdef",
            "--no-clean", "--no-run", "--json-logs", "--user-name=jovyan", "--user-id=1000", "--push", "https://github.com/owner/repo",
        ];
        Assert.Equal(expectedArgs, container["args"]!.AsArray().Select(a => (string?)a));
        Assert.Equal(Json("""[{"name": "GIT_CREDENTIAL_ENV", "value": "username=bot\npassword=s3cret"}]"""), Json(container["env"]!.ToJsonString()));
        Assert.Equal(Json("""
            [{"name": "docker-socket", "mountPath": "/var/run/docker.sock"},
             {"name": "docker-config", "mountPath": "/root/.docker/config.json", "subPath": "config.json"}]
            """), Json(container["volumeMounts"]!.ToJsonString()));
        Assert.Equal(Json("""
            [{"name": "docker-socket", "hostPath": {"path": "/var/run/dind/docker.sock", "type": "Socket"}},
             {"name": "docker-config", "secret": {"secretName": "binder-build-docker-config"}}]
            """), Json(spec["volumes"]!.ToJsonString()));
        Assert.Equal(Json("""
            [{"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
             {"key": "hub.jupyter.org_dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}]
            """), Json(spec["tolerations"]!.ToJsonString()));
        Assert.Equal(Json("""{"mybinder.org/pool-type": "users"}"""), Json(spec["nodeSelector"]!.ToJsonString()));
        Assert.Equal(Json("""
            {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm":
              {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"component": "binderhub-build"}}}}]}}
            """), Json(spec["affinity"]!.ToJsonString()));
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        Assert.False((bool?)spec["automountServiceAccountToken"]);
        Assert.Equal(Json("""[{"name": "pull-secret"}]"""), Json(spec["imagePullSecrets"]!.ToJsonString()));
        Assert.False(run.Completion.IsFaulted);
    }

    [Fact]
    public async Task BuildpacksBuilder_RunsTheServiceImagesBuildCommand_AsRoot_WithTheServicesBuildSettings()
    {
        await using var rig = await KubeRig.StartAsync();
        var options = rig.Options(o =>
        {
            o.Builder = BinderOrleans.Kubernetes.BuildPodBuilder.Buildpacks;
            o.BuildImage = "registry.example.org/binder/binderorleans:1.0";
            o.Push = true;
            o.BuilderSettings = new() { ["Build:BaseImage"] = "base:1", ["Providers:Git:AllowedSchemes:0"] = "http" };
        });
        var request = KubeRig.Request(credentials: "username=bot\npassword=s3cret");
        _ = BuildRun.Start(rig.Builder(options), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);
        var pod = rig.Api.Posted(request.BuildName)!;

        // The same pod as BinderHub's (name, labels, volumes, scheduling); only the container differs.
        Assert.Equal(request.BuildName, (string?)pod["metadata"]!["name"]);
        Assert.Equal(Json("""{"name": "build-owner-2drepo-abc123-0123-4f", "component": "binderhub-build"}"""), Json(pod["metadata"]!["labels"]!.ToJsonString()));
        var spec = pod["spec"]!;
        var container = Assert.Single(spec["containers"]!.AsArray())!;
        Assert.Equal("builder", (string?)container["name"]);
        Assert.Equal("registry.example.org/binder/binderorleans:1.0", (string?)container["image"]);
        Assert.Null(container["command"]);
        string[] expectedArgs =
        [
            "build", "--repo=https://github.com/owner/repo", "--ref=0123456789abcdef",
            "--image=registry.example.org/binder/r2d-owner-2drepo:0123456789abcdef", "--build-name=build-owner-2drepo-abc123-0123-4f",
            "--provider=gh", "--push",
        ];
        Assert.Equal(expectedArgs, container["args"]!.AsArray().Select(a => (string?)a));
        Assert.Equal(Json("""
            [{"name": "GIT_CREDENTIAL_ENV", "value": "username=bot\npassword=s3cret"},
             {"name": "Build__BaseImage", "value": "base:1"},
             {"name": "Providers__Git__AllowedSchemes__0", "value": "http"},
             {"name": "Registry__DockerConfig", "value": "/root/.docker/config.json"}]
            """), Json(container["env"]!.ToJsonString()));
        Assert.Equal(Json("""{"runAsUser": 0}"""), Json(container["securityContext"]!.ToJsonString()));
        Assert.Equal(Json("""
            [{"name": "docker-socket", "mountPath": "/var/run/docker.sock"},
             {"name": "docker-config", "mountPath": "/root/.docker/config.json", "subPath": "config.json"}]
            """), Json(container["volumeMounts"]!.ToJsonString()));
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        Assert.False((bool?)spec["automountServiceAccountToken"]);
        Assert.Null(spec["hostNetwork"]);
    }

    [Theory]
    [InlineData(BinderOrleans.Kubernetes.BuildPodBuilder.Repo2Docker)]
    [InlineData(BinderOrleans.Kubernetes.BuildPodBuilder.Buildpacks)]
    public void BuildPodHostNetwork_PutsEitherBuilderInTheNodesNetwork(BinderOrleans.Kubernetes.BuildPodBuilder builder)
    {
        var options = new BinderOrleans.Kubernetes.KubernetesOptions { Builder = builder, BuildImage = "binderorleans:dev" };
        Assert.Null(BuildPod.Create(KubeRig.Request(), options).Spec.HostNetwork);

        options.BuildPodHostNetwork = true;
        var spec = BuildPod.Create(KubeRig.Request(), options).Spec;
        Assert.True(spec.HostNetwork);
        Assert.Equal("ClusterFirstWithHostNet", spec.DnsPolicy);
        Assert.Equal(builder == BinderOrleans.Kubernetes.BuildPodBuilder.Buildpacks ? "build" : "jupyter-repo2docker", spec.Containers[0].Args[0]);
    }

    [Fact]
    public void Repo2DockerBuilder_GetsNoneOfTheServicesSettings_AndRunsAsItsImageSays()
    {
        var options = new BinderOrleans.Kubernetes.KubernetesOptions { BuilderSettings = new() { ["Build:BaseImage"] = "base:1" }, Push = true };
        var container = BuildPod.Create(KubeRig.Request(), options).Spec.Containers[0];
        Assert.Empty(container.Env);
        Assert.Null(container.SecurityContext);
    }

    [Fact]
    public void WithoutRegistry_NoPush_NoDockerConfig_AndNoSocketWhenDockerHostIsEmpty()
    {
        var pod = BuildPod.Create(KubeRig.Request(), new BinderOrleans.Kubernetes.KubernetesOptions { DockerHost = "" });
        var container = pod.Spec.Containers[0];
        Assert.DoesNotContain("--push", container.Args);
        Assert.Empty(container.VolumeMounts);
        Assert.Empty(pod.Spec.Volumes);
        Assert.Empty(container.Env);
        Assert.Null(pod.Spec.ImagePullSecrets);
    }

    [Fact]
    public void Arguments_RepoUrlIsLast_AndEveryOtherArgumentIsAnOptionWithItsValueAttached()
    {
        var options = new BinderOrleans.Kubernetes.KubernetesOptions { Push = true, ExtraArgs = ["--debug"] };
        // A ref or image that looks like an option stays inside its --name=value argument.
        var request = KubeRig.Request() with { ResolvedRef = "--help", ImageName = "--version" };
        var args = BuildPod.Arguments(request, options);

        Assert.Equal(request.RepoUrl, args[^1]);
        Assert.Equal("jupyter-repo2docker", args[0]);
        Assert.All(args[1..^1], a => Assert.StartsWith("--", a));
        Assert.Contains("--ref=--help", args);
        Assert.Contains("--image=--version", args);
        Assert.Equal(["--push", "--debug", request.RepoUrl], args[^3..]);
    }

    [Fact]
    public void Appendix_IsPassedAsOneArgumentAfterItsOption()
    {
        var args = BuildPod.Arguments(KubeRig.Request(), new BinderOrleans.Kubernetes.KubernetesOptions { Appendix = "RUN echo hi\nUSER root" });
        var at = args.IndexOf("--appendix");
        Assert.Equal("RUN echo hi\nUSER root", args[at + 1]);
        Assert.Equal(KubeRig.Request().RepoUrl, args[^1]);
    }

    [Fact]
    public async Task Resources_BinderHubMemorySizesAndCpuQuantities_AreTheBuildPodsRequestsAndLimits()
    {
        await using var rig = await KubeRig.StartAsync();
        var options = rig.Options(o =>
        {
            o.BuildMemoryRequest = "1G";
            o.BuildMemoryLimit = "2Gi";
            o.BuildCpuRequest = "100m";
            o.BuildCpuLimit = "1";
        });
        var request = KubeRig.Request();
        _ = BuildRun.Start(rig.Builder(options), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);

        var container = rig.Api.Posted(request.BuildName)!["spec"]!["containers"]![0]!;
        // BinderHub's "1G" is 1024³ bytes; a Kubernetes quantity passes through.
        Assert.Equal(Json("""{"limits": {"cpu": "1", "memory": "2Gi"}, "requests": {"cpu": "100m", "memory": "1073741824"}}"""),
            Json(container["resources"]!.ToJsonString()));
        Assert.Equal(Json("""{"limits": {}, "requests": {}}"""),
            Json(k8s.KubernetesJson.Serialize(BuildPod.Resources(new BinderOrleans.Kubernetes.KubernetesOptions()))));
    }

    [Fact]
    public async Task StickyBuilds_PreferTheRepositorysRendezvousNode_AmongBuilderDaemonNodes()
    {
        await using var rig = await KubeRig.StartAsync();
        foreach (var node in new[] { "node-b", "node-a", "node-c" })
        {
            rig.Api.AddPod(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = "binder-dind-" + node, ["labels"] = new JsonObject { ["component"] = "image-builder", ["app"] = "binder" } },
                ["spec"] = new JsonObject { ["nodeName"] = node, ["containers"] = new JsonArray(new JsonObject { ["name"] = "dind" }) },
            }, "Running");
        }
        var request = KubeRig.Request();
        _ = BuildRun.Start(rig.Builder(rig.Options(o => o.StickyBuilds = true)), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);

        // blake2b("https://github.com/owner/repo-node-a", digest_size=8) is the largest of the three (checked with Python's hashlib).
        Assert.Equal(Json("""
            {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference":
              {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-a"]}]}}]}}
            """), Json(rig.Api.Posted(request.BuildName)!["spec"]!["affinity"]!.ToJsonString()));
        Assert.Contains(rig.Api.Requests, r => r.IsList && r.Query.Contains("labelSelector=component%3Dimage-builder%2Capp%3Dbinder"));
    }

    [Fact]
    public async Task StickyBuilds_WithoutBuilderDaemons_SpreadBuildsAsBinderHubDoes()
    {
        await using var rig = await KubeRig.StartAsync();
        var request = KubeRig.Request();
        _ = BuildRun.Start(rig.Builder(rig.Options(o => o.StickyBuilds = true)), request);
        await rig.Api.WaitForPodAsync(request.BuildName, Wait);

        var affinity = rig.Api.Posted(request.BuildName)!["spec"]!["affinity"]!;
        Assert.NotNull(affinity["podAntiAffinity"]);
        Assert.Null(affinity["nodeAffinity"]);
    }

    [Fact]
    public void StickyScore_IsBinderHubsBlake2b64()
    {
        Assert.Equal(17460493488721032067UL, StickyBuilds.Score("https://github.com/owner/repo", "node-a"));
        Assert.Equal(7738493153630704457UL, StickyBuilds.Score("https://github.com/owner/repo", "node-b"));
        Assert.Equal("node-a", StickyBuilds.PreferredNode("https://github.com/owner/repo", ["node-c", "node-b", "node-a", ""]));
        Assert.Null(StickyBuilds.PreferredNode("https://github.com/owner/repo", []));
    }

    /// <summary>Canonical JSON (object keys sorted): the client serializes model properties in its own order.</summary>
    private static string Json(string text) => Sorted(JsonNode.Parse(text))?.ToJsonString() ?? "null";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
