using BinderOrleans.Core.Builds;
using k8s.Models;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// The build pod, field for field BinderHub's (<c>KubernetesBuildExecutor.submit</c>): its name is the build name,
/// so every request and every replica building one (repository, ref) asks for the same pod and the API server lets
/// only one exist.
/// </summary>
internal static class BuildPod
{
    public const string ContainerName = "builder";
    public const string ComponentLabel = "component";
    public const string Component = "binderhub-build";
    public const string NameLabel = "name";
    public const string RepoAnnotation = "binder-repo";

    /// <summary>The builder daemon (dind, pink) pods whose nodes sticky builds choose from (BinderHub's selector).</summary>
    public const string BuilderDaemonSelector = "component=image-builder,app=binder";

    private const string HostnameLabel = "kubernetes.io/hostname";

    /// <summary>Selects every build pod (the cleaner's and the health check's list).</summary>
    public const string ComponentSelector = ComponentLabel + "=" + Component;

    private const string SocketMountPath = "/var/run/docker.sock";

    /// <summary>Selects the one build pod of <paramref name="buildName"/> (the watch's selector).</summary>
    public static string SelectorFor(string buildName) => NameLabel + "=" + buildName;

    /// <summary>Why the request cannot become a pod, or null (<see cref="Repo2DockerCommand.Refusal"/>).</summary>
    public static string? Refusal(BuildRequest request) => Repo2DockerCommand.Refusal(request);

    /// <summary>
    /// The builder's arguments: repo2docker's in BinderHub's order (<see cref="Repo2DockerCommand.Arguments"/>), or the
    /// service image's <c>build</c> command (<see cref="BuildpacksCommand.Arguments"/>).
    /// </summary>
    public static List<string> Arguments(BuildRequest request, KubernetesOptions options) => options.Builder switch
    {
        BuildPodBuilder.Buildpacks => BuildpacksCommand.Arguments(request, Pushes(options)),
        _ => Repo2DockerCommand.Arguments(request, options.Appendix, Pushes(options), options.ExtraArgs),
    };

    /// <summary>Where the push secret's <c>config.json</c> is mounted (repo2docker's docker CLI reads it there as root).</summary>
    private const string DockerConfigPath = "/root/.docker/config.json";

    /// <param name="stickyNode">With sticky builds, the node this repository should prefer; null spreads builds over nodes.</param>
    public static V1Pod Create(BuildRequest request, KubernetesOptions options, string? stickyNode = null)
    {
        var name = request.BuildName;
        var env = new List<V1EnvVar>();
        if (request.GitCredentials is { Length: > 0 } credentials) env.Add(new V1EnvVar { Name = "GIT_CREDENTIAL_ENV", Value = credentials });

        var mounts = new List<V1VolumeMount>();
        var volumes = new List<V1Volume>();
        if (SocketPath(options.DockerHost) is { } socket)
        {
            mounts.Add(new V1VolumeMount { Name = "docker-socket", MountPath = SocketMountPath });
            volumes.Add(new V1Volume { Name = "docker-socket", HostPath = new V1HostPathVolumeSource { Path = socket, Type = "Socket" } });
        }
        if (Pushes(options))
        {
            mounts.Add(new V1VolumeMount { Name = "docker-config", MountPath = DockerConfigPath, SubPath = "config.json" });
            volumes.Add(new V1Volume { Name = "docker-config", Secret = new V1SecretVolumeSource { SecretName = options.PushSecret } });
        }
        V1SecurityContext? security = null;
        if (options.Builder == BuildPodBuilder.Buildpacks)
        {
            // The service's settings that shape the build, then where the pusher finds the registry's credentials.
            foreach (var (key, value) in options.BuilderSettings.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                env.Add(new V1EnvVar { Name = BuilderSettings.VariableName(key), Value = value });
            }
            if (Pushes(options)) env.Add(new V1EnvVar { Name = "Registry__DockerConfig", Value = DockerConfigPath });
            // The service image runs as a non-root user; the engine socket (root's, with a node-specific group) and the
            // secret's path are root's, as in repo2docker's image. Whoever holds the socket is root on the node anyway.
            security = new V1SecurityContext { RunAsUser = 0 };
        }

        var container = new V1Container
        {
            Name = ContainerName,
            Image = options.BuildImage,
            Args = Arguments(request, options),
            Env = env,
            VolumeMounts = mounts,
            Resources = Resources(options),
            SecurityContext = security,
        };

        var spec = new V1PodSpec
        {
            Containers = [container],
            Volumes = volumes,
            Tolerations = [UserNodeToleration("hub.jupyter.org/dedicated"), UserNodeToleration("hub.jupyter.org_dedicated")],
            NodeSelector = new Dictionary<string, string>(options.NodeSelector),
            Affinity = stickyNode is null ? SpreadBuilds() : PreferNode(stickyNode),
            RestartPolicy = "Never",
            // repo2docker needs the engine socket, not the API: keep the namespace's service account token out of the pod.
            AutomountServiceAccountToken = false,
        };
        if (options.BuildPodHostNetwork)
        {
            // A node without a pod network: the build reaches git hosts and the registry on the node's own addresses.
            spec.HostNetwork = true;
            spec.DnsPolicy = "ClusterFirstWithHostNet";
        }
        if (options.ImagePullSecrets.Count > 0)
        {
            spec.ImagePullSecrets = options.ImagePullSecrets.Select(s => new V1LocalObjectReference { Name = s }).ToList();
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string> { [NameLabel] = name, [ComponentLabel] = Component },
                Annotations = new Dictionary<string, string> { [RepoAnnotation] = request.RepoUrl },
            },
            Spec = spec,
        };
    }

    /// <summary>
    /// BinderHub's <c>resources</c> of the build pod: requests and limits of memory (<c>build_memory_request</c>,
    /// <c>build_memory_limit</c>) and CPU, each only when set. They bound the repo2docker client process; the image
    /// build itself runs in the node's engine.
    /// </summary>
    public static V1ResourceRequirements Resources(KubernetesOptions options)
    {
        var limits = new Dictionary<string, ResourceQuantity>();
        var requests = new Dictionary<string, ResourceQuantity>();
        if (ResourceSettings.Memory(options.BuildMemoryLimit) is { } memoryLimit) limits["memory"] = memoryLimit;
        if (ResourceSettings.Cpu(options.BuildCpuLimit) is { } cpuLimit) limits["cpu"] = cpuLimit;
        if (ResourceSettings.Memory(options.BuildMemoryRequest) is { } memoryRequest) requests["memory"] = memoryRequest;
        if (ResourceSettings.Cpu(options.BuildCpuRequest) is { } cpuRequest) requests["cpu"] = cpuRequest;
        return new V1ResourceRequirements { Limits = limits, Requests = requests };
    }

    /// <summary>The <c>builder</c> container's status, if the kubelet has reported it.</summary>
    public static V1ContainerStatus? Builder(V1Pod pod) => pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == ContainerName);

    /// <summary>A Kubernetes timestamp as UTC (the client may hand back an unspecified kind).</summary>
    public static DateTimeOffset Utc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());

    /// <summary>Spread builds over nodes (BinderHub's choice when sticky builds are off).</summary>
    private static V1Affinity SpreadBuilds() => new()
    {
        PodAntiAffinity = new V1PodAntiAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1WeightedPodAffinityTerm
                {
                    Weight = 100,
                    PodAffinityTerm = new V1PodAffinityTerm
                    {
                        TopologyKey = HostnameLabel,
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [ComponentLabel] = Component } },
                    },
                },
            ],
        },
    };

    /// <summary>Sticky builds: prefer (not require) the node whose engine built this repository before.</summary>
    private static V1Affinity PreferNode(string node) => new()
    {
        NodeAffinity = new V1NodeAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1PreferredSchedulingTerm
                {
                    Weight = 100,
                    Preference = new V1NodeSelectorTerm
                    {
                        MatchExpressions = [new V1NodeSelectorRequirement { Key = HostnameLabel, OperatorProperty = "In", Values = [node] }],
                    },
                },
            ],
        },
    };

    /// <summary>The host path of <c>Kubernetes:DockerHost</c> (<c>unix:///var/run/docker.sock</c> → <c>/var/run/docker.sock</c>); null when empty.</summary>
    public static string? SocketPath(string? dockerHost)
    {
        if (string.IsNullOrWhiteSpace(dockerHost)) return null;
        const string scheme = "unix://";
        return dockerHost.StartsWith(scheme, StringComparison.Ordinal) ? dockerHost[scheme.Length..] : dockerHost;
    }

    private static bool Pushes(KubernetesOptions options) => options.Push && options.PushSecret.Length > 0;

    private static V1Toleration UserNodeToleration(string key) =>
        new() { Key = key, OperatorProperty = "Equal", Value = "user", Effect = "NoSchedule" };
}
