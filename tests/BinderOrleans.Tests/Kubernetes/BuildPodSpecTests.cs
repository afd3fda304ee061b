using System.Text.Json.Nodes;
using BinderOrleans.Kubernetes.Builds;

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
        Assert.Equal(Json("""{"name": "build-owner-2drepo-abc123-0123-4f", "component": "binderhub-build"}"""), metadata["labels"]!.ToJsonString());
        Assert.Equal(Json("""{"binder-repo": "https://github.com/owner/repo"}"""), metadata["annotations"]!.ToJsonString());

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
        Assert.Equal(Json("""[{"name": "GIT_CREDENTIAL_ENV", "value": "username=bot\npassword=s3cret"}]"""), container["env"]!.ToJsonString());
        Assert.Equal(Json("""
            [{"name": "docker-socket", "mountPath": "/var/run/docker.sock"},
             {"name": "docker-config", "mountPath": "/root/.docker/config.json", "subPath": "config.json"}]
            """), container["volumeMounts"]!.ToJsonString());
        Assert.Equal(Json("""
            [{"name": "docker-socket", "hostPath": {"path": "/var/run/dind/docker.sock", "type": "Socket"}},
             {"name": "docker-config", "secret": {"secretName": "binder-build-docker-config"}}]
            """), spec["volumes"]!.ToJsonString());
        Assert.Equal(Json("""
            [{"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"},
             {"key": "hub.jupyter.org_dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}]
            """), spec["tolerations"]!.ToJsonString());
        Assert.Equal(Json("""{"mybinder.org/pool-type": "users"}"""), spec["nodeSelector"]!.ToJsonString());
        Assert.Equal(Json("""
            {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm":
              {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"component": "binderhub-build"}}}}]}}
            """), spec["affinity"]!.ToJsonString());
        Assert.Equal("Never", (string?)spec["restartPolicy"]);
        Assert.False((bool?)spec["automountServiceAccountToken"]);
        Assert.Equal(Json("""[{"name": "pull-secret"}]"""), spec["imagePullSecrets"]!.ToJsonString());
        Assert.False(run.Completion.IsFaulted);
    }

    [Fact]
    public void WithoutRegistry_NoPush_NoDockerConfig_AndNoSocketWhenDockerHostIsEmpty()
    {
        var pod = BuildPod.Create(KubeRig.Request(), new BinderOrleans.Kubernetes.KubernetesOptions { DockerHost = "" });
        var container = pod["spec"]!["containers"]![0]!;
        Assert.DoesNotContain("--push", container["args"]!.AsArray().Select(a => (string?)a));
        Assert.Empty(container["volumeMounts"]!.AsArray());
        Assert.Empty(pod["spec"]!["volumes"]!.AsArray());
        Assert.Empty(container["env"]!.AsArray());
        Assert.Null(pod["spec"]!["imagePullSecrets"]);
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

    private static string Json(string text) => JsonNode.Parse(text)!.ToJsonString();
}
