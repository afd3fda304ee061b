namespace BinderOrleans.Kubernetes;

/// <summary>
/// Settings of the Kubernetes build backend, section <c>Kubernetes</c>; read only when <c>Build:Backend</c> is
/// <c>kubernetes</c>. Names follow BinderHub's <c>KubernetesBuildExecutor</c> traits.
/// </summary>
public sealed class KubernetesOptions
{
    public const string Section = "Kubernetes";
    public const string DefaultBuildImage = "quay.io/jupyterhub/repo2docker:2024.07.0";
    public const string DefaultDockerHost = "unix:///var/run/docker.sock";
    public const string DefaultPushSecret = "binder-build-docker-config";
    public const string DefaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// <c>Kubernetes:Namespace</c>: where build pods run. Default: the <c>BUILD_NAMESPACE</c> environment variable,
    /// else the service account's namespace (in a cluster) or the kubeconfig context's, else <c>default</c>.
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// <c>Kubernetes:Kubeconfig</c>: kubeconfig file to use instead of the in-cluster service account.
    /// Without it: in-cluster when <c>KUBERNETES_SERVICE_HOST</c> is set, else <c>KUBECONFIG</c>, else <c>~/.kube/config</c>.
    /// </summary>
    public string? Kubeconfig { get; set; }

    /// <summary><c>Kubernetes:Context</c>: kubeconfig context to use. Default: its <c>current-context</c>.</summary>
    public string? Context { get; set; }

    /// <summary>
    /// <c>Kubernetes:Builder</c>: what build pods run: <c>repo2docker</c> (default, BinderHub's: the repo2docker image) or
    /// <c>buildpacks</c> (the service image, named by <see cref="BuildImage"/>, run with its <c>build</c> command).
    /// </summary>
    public BuildPodBuilder Builder { get; set; } = BuildPodBuilder.Repo2Docker;

    /// <summary>
    /// <c>Kubernetes:BuildImage</c>: the image the build pod runs: repo2docker's, or with <see cref="Builder"/> =
    /// <c>buildpacks</c> the service image. Default <see cref="DefaultBuildImage"/>.
    /// </summary>
    public string BuildImage { get; set; } = DefaultBuildImage;

    /// <summary>
    /// <c>Kubernetes:BuildPodHostNetwork</c>: build pods run in the node's network (<c>hostNetwork: true</c>), for nodes
    /// without a pod network, where a build must reach a registry or git host on the node's loopback. Default false.
    /// </summary>
    public bool BuildPodHostNetwork { get; set; }

    /// <summary>
    /// <c>Kubernetes:DockerHost</c>: the node's container engine socket, mounted into the build pod at
    /// <c>/var/run/docker.sock</c> (dind: <c>unix:///var/run/dind/docker.sock</c>). Empty: no socket. Default <see cref="DefaultDockerHost"/>.
    /// </summary>
    public string DockerHost { get; set; } = DefaultDockerHost;

    /// <summary>
    /// <c>Kubernetes:PushSecret</c>: Secret holding <c>config.json</c> registry credentials, mounted at
    /// <c>/root/.docker/config.json</c> when <c>Registry:Enabled</c> (then repo2docker gets <c>--push</c>). Default <see cref="DefaultPushSecret"/>.
    /// </summary>
    public string PushSecret { get; set; } = DefaultPushSecret;

    /// <summary><c>Kubernetes:NodeSelector</c>: the build pod's node selector (mybinder: <c>mybinder.org/pool-type: users</c>). Default none.</summary>
    public Dictionary<string, string> NodeSelector { get; set; } = [];

    /// <summary><c>Kubernetes:ImagePullSecrets</c>: Secret names for pulling <see cref="BuildImage"/>. Default none.</summary>
    public List<string> ImagePullSecrets { get; set; } = [];

    /// <summary><c>Kubernetes:Appendix</c>: Dockerfile text repo2docker appends (<c>--appendix</c>). Default none.</summary>
    public string? Appendix { get; set; }

    /// <summary><c>Kubernetes:ExtraArgs</c>: more repo2docker options, placed before the repository URL. Default none.</summary>
    public List<string> ExtraArgs { get; set; } = [];

    /// <summary>
    /// <c>Kubernetes:BuildMemoryRequest</c>: the build pod's memory request (BinderHub's <c>build_memory_request</c>):
    /// bytes, a number with <c>K</c>/<c>M</c>/<c>G</c>/<c>T</c> (powers of 1024), or a Kubernetes quantity like <c>2Gi</c>. Default none.
    /// </summary>
    public string? BuildMemoryRequest { get; set; }

    /// <summary><c>Kubernetes:BuildMemoryLimit</c>: the build pod's memory limit (BinderHub's <c>build_memory_limit</c>), as <see cref="BuildMemoryRequest"/>. Default none.</summary>
    public string? BuildMemoryLimit { get; set; }

    /// <summary><c>Kubernetes:BuildCpuRequest</c>: the build pod's CPU request, a Kubernetes quantity (<c>500m</c>, <c>0.5</c>). Default none.</summary>
    public string? BuildCpuRequest { get; set; }

    /// <summary><c>Kubernetes:BuildCpuLimit</c>: the build pod's CPU limit, a Kubernetes quantity. Default none.</summary>
    public string? BuildCpuLimit { get; set; }

    /// <summary>
    /// <c>Kubernetes:StickyBuilds</c> (BinderHub's <c>sticky_builds</c>): a repository's builds prefer the node that built
    /// it before, whose engine has its layers cached. The nodes are those running a builder daemon pod
    /// (<c>component=image-builder,app=binder</c>: dind or pink), ranked per repository by rendezvous hashing. Default false:
    /// builds are spread over nodes.
    /// </summary>
    public bool StickyBuilds { get; set; }

    /// <summary><c>Kubernetes:CleanupInterval</c>: how often finished and stale build pods are removed. Default 60 s.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary><c>Kubernetes:MaxBuildAge</c>: build pods started longer ago are deleted by the cleaner. Default 4 h.</summary>
    public TimeSpan MaxBuildAge { get; set; } = TimeSpan.FromHours(4);

    /// <summary><c>Kubernetes:WatchTimeout</c>: <c>timeoutSeconds</c> of each watch request; the watch is re-armed after it. Default 30 s.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Kubernetes:ConnectTimeout</c>: TCP/TLS connect timeout to the API server. Default 3 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary><c>Kubernetes:RequestTimeout</c>: limit of one non-streaming API call. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Kubernetes:TokenRefreshInterval</c>: how often a token file (projected service account token) is re-read. Default 1 min.</summary>
    public TimeSpan TokenRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>Kubernetes:ServiceAccountDirectory</c>: where the in-cluster token, CA and namespace files are. Default <see cref="DefaultServiceAccountDirectory"/>.</summary>
    public string ServiceAccountDirectory { get; set; } = DefaultServiceAccountDirectory;

    /// <summary>Set from <c>Registry:Enabled</c>: builds push to the registry (BinderHub passes <c>--push</c> only then).</summary>
    internal bool Push { get; set; }

    /// <summary>Set from the service's configuration: the settings a buildpacks build pod gets (<see cref="Builds.BuilderSettings"/>).</summary>
    internal Dictionary<string, string> BuilderSettings { get; set; } = [];
}
