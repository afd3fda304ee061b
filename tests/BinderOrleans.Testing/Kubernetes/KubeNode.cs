using k8s;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>
/// A real single-node Kubernetes 1.20 on loopback, started by <c>scripts/kube-node.sh</c>: etcd, the API server
/// (Node and RBAC authorization), controller-manager, scheduler, and a kubelet driving a Docker daemon of the node's
/// own. Pods run for real; they need <c>hostNetwork</c> (no CNI) and images loaded with <see cref="LoadImageAsync"/>.
/// </summary>
public sealed class KubeNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly string _script;

    private KubeNode(string script, string directory, IReadOnlyDictionary<string, string> env)
    {
        _script = script;
        Directory = directory;
        Server = new Uri(env["KUBE_SERVER"]);
        Kubeconfig = env["KUBECONFIG"];
        Kubectl = env["KUBECTL"];
        DockerHost = env["NODE_DOCKER_HOST"];
        DockerGroup = int.Parse(env["NODE_DOCKER_GID"], System.Globalization.CultureInfo.InvariantCulture);
        NodeName = env["NODE_NAME"];
        Admin = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));
    }

    /// <summary>The node's folder: certificates, kubeconfigs, logs, the kubelet's root and the node daemon's data.</summary>
    public string Directory { get; }

    public Uri Server { get; }

    /// <summary>An admin kubeconfig (user in <c>system:masters</c>).</summary>
    public string Kubeconfig { get; }

    /// <summary>Debian's kubectl 1.20, matching the server.</summary>
    public string Kubectl { get; }

    /// <summary>The node's Docker daemon, <c>unix://…</c>: pods' containers and the images they run.</summary>
    public string DockerHost { get; }

    /// <summary>The group owning the node's Docker socket (a pod's <c>supplementalGroups</c> to use it as non-root).</summary>
    public int DockerGroup { get; }

    /// <summary>The node's name and address, <c>127.0.0.1</c>.</summary>
    public string NodeName { get; }

    public IKubernetes Admin { get; }

    /// <summary>The node's Docker socket as a path (for a hostPath volume).</summary>
    public string DockerSocketPath => new Uri(DockerHost).AbsolutePath;

    public static async Task<KubeNode> StartAsync()
    {
        var script = Path.Combine(KubeApiServer.RepositoryRoot(), "scripts", "kube-node.sh");
        var directory = System.IO.Directory.CreateTempSubdirectory("binder-kube-node-").FullName;
        var (code, output) = await KubeApiServer.RunAsync("bash", [script, "start", directory], StartTimeout).ConfigureAwait(false);
        if (code != 0)
        {
            await KubeApiServer.RunAsync("bash", [script, "stop", directory], TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"scripts/kube-node.sh start failed ({code}); build the node first with `bash scripts/kube-node.sh build`:\n{output}");
        }
        var env = File.ReadAllLines(Path.Combine(directory, "env"))
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return new KubeNode(script, directory, env);
    }

    /// <summary>Copies an image of the machine's Docker daemon into the node's (<c>docker save | docker load</c>).</summary>
    public async Task LoadImageAsync(string image)
    {
        var (code, output) = await KubeApiServer.RunAsync("bash", [_script, "load", Directory, image], TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException($"loading {image} into the node failed ({code}):\n{output}");
    }

    /// <summary>Runs kubectl against this node as admin.</summary>
    public Task<(int Code, string Output)> KubectlAsync(params string[] args) => KubectlAsync(TimeSpan.FromMinutes(2), args);

    public Task<(int Code, string Output)> KubectlAsync(TimeSpan timeout, params string[] args) =>
        KubeApiServer.RunAsync(Kubectl, ["--kubeconfig", Kubeconfig, .. args], timeout);

    /// <summary>The tail of one of the node's logs (<c>kubelet</c>, <c>apiserver</c>, <c>dockerd</c>, …), for failure messages.</summary>
    public string LogTail(string name, int chars = 3000)
    {
        var path = Path.Combine(Directory, name + ".log");
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length > chars) stream.Seek(-chars, SeekOrigin.End);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await KubeApiServer.RunAsync("bash", [_script, "stop", Directory], TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
