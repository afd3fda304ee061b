using System.Diagnostics;
using k8s;
using k8s.Models;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>
/// A real kube-apiserver (v1.20, built from Debian's source package) with its etcd, on loopback, started by
/// <c>scripts/kube-apiserver.sh</c>: RBAC, static tokens, no anonymous access. No scheduler, controller-manager or
/// kubelet runs: <see cref="TestKubelet"/> plays the node where a test needs one.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly string _script;

    private KubeApiServer(string script, string directory, IReadOnlyDictionary<string, string> env)
    {
        _script = script;
        Directory = directory;
        Server = new Uri(env["KUBE_SERVER"]);
        AdminToken = env["KUBE_TOKEN"];
        UserToken = env["KUBE_USER_TOKEN"];
        Kubeconfig = env["KUBECONFIG"];
        Kubectl = env["KUBECTL"];
        Admin = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));
    }

    public string Directory { get; }

    public Uri Server { get; }

    /// <summary>A token of user <c>admin</c> in <c>system:masters</c>.</summary>
    public string AdminToken { get; }

    /// <summary>A token of user <c>binder-test</c>, who may do nothing until a test binds a role to it.</summary>
    public string UserToken { get; }

    /// <summary>Contexts <c>admin</c> (current) and <c>binder-test</c>.</summary>
    public string Kubeconfig { get; }

    /// <summary>Debian's kubectl 1.20, matching the server.</summary>
    public string Kubectl { get; }

    /// <summary>A KubernetesClient for the test's own setup and checks.</summary>
    public IKubernetes Admin { get; }

    public static async Task<KubeApiServer> StartAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "kube-apiserver.sh");
        var directory = System.IO.Directory.CreateTempSubdirectory("binder-kube-apiserver-").FullName;
        var (code, output) = await RunAsync("bash", [script, "start", directory], StartTimeout).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException(
                $"scripts/kube-apiserver.sh start failed ({code}); build the server first with `bash scripts/kube-apiserver.sh build`:\n{output}");
        }
        var env = File.ReadAllLines(Path.Combine(directory, "env"))
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return new KubeApiServer(script, directory, env);
    }

    /// <summary>A fresh namespace with its <c>default</c> ServiceAccount (which no controller-manager makes here).</summary>
    public async Task<string> CreateNamespaceAsync(string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        await Admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, name,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Writes a kubeconfig for this server with the given token and namespace; returns its path.</summary>
    public string WriteKubeconfig(string name, string token, string @namespace)
    {
        var ca = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(Directory, "ca.crt")));
        var path = Path.Combine(Directory, name + ".kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
                server: {Server.AbsoluteUri.TrimEnd('/')}
                certificate-authority-data: {ca}
            contexts:
            - name: test
              context:
                cluster: test
                user: test
                namespace: {@namespace}
            users:
            - name: test
              user:
                token: {token}
            """);
        return path;
    }

    /// <summary>Runs Debian's kubectl 1.20 against this server as admin.</summary>
    public Task<(int Code, string Output)> KubectlAsync(params string[] args) =>
        RunAsync(Kubectl, ["--kubeconfig", Kubeconfig, .. args], TimeSpan.FromMinutes(1));

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await RunAsync("bash", [_script, "stop", Directory], TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }

    internal static async Task<(int Code, string Output)> RunAsync(string command, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', args)} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BinderOrleans.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("BinderOrleans.sln not found above " + AppContext.BaseDirectory);
    }
}
