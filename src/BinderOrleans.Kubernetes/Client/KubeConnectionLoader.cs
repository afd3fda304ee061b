using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>
/// Resolves the API server connection: an explicit <c>Kubernetes:Kubeconfig</c> first, then the in-cluster service
/// account (when <c>KUBERNETES_SERVICE_HOST</c> is set), then <c>KUBECONFIG</c> (files merged, first value wins), then
/// <c>~/.kube/config</c>. Kubeconfig users are read by KubernetesClient (token, client certificate, <c>exec</c>
/// plugins). Problems come back as one message that names the file or setting to fix.
/// </summary>
internal static class KubeConnectionLoader
{
    public const string DefaultNamespace = "default";

    public static (KubeConnection? Connection, string? Error) Load(KubernetesOptions options, KubeEnvironment environment, TimeProvider time)
    {
        if (options.Kubeconfig is { Length: > 0 } explicitPath)
        {
            if (!File.Exists(explicitPath)) return (null, $"Kubernetes:Kubeconfig names {explicitPath}, which does not exist.");
            return FromKubeconfig([explicitPath], options, environment);
        }
        if (environment.Variable("KUBERNETES_SERVICE_HOST") is { Length: > 0 } host)
        {
            return InCluster(host, options, environment, time);
        }
        if (environment.Variable("KUBECONFIG") is { Length: > 0 } list)
        {
            var files = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(File.Exists).ToList();
            if (files.Count == 0) return (null, $"KUBECONFIG is set to '{list}' but none of its files exists.");
            return FromKubeconfig(files, options, environment);
        }
        var home = Path.Combine(environment.HomeDirectory, ".kube", "config");
        if (File.Exists(home)) return FromKubeconfig([home], options, environment);
        return (null,
            "No Kubernetes API to talk to: KUBERNETES_SERVICE_HOST is not set (not running in a cluster) and no kubeconfig was found " +
            $"(Kubernetes:Kubeconfig, KUBECONFIG, {home}). Set Kubernetes:Kubeconfig, or run in a cluster, or set Build:Backend to docker.");
    }

    /// <summary>
    /// KubernetesClient's <c>InClusterConfig</c> reads fixed paths and the process environment; this honours
    /// <c>Kubernetes:ServiceAccountDirectory</c> and re-reads the rotating token.
    /// </summary>
    private static (KubeConnection?, string?) InCluster(string host, KubernetesOptions options, KubeEnvironment environment, TimeProvider time)
    {
        var port = environment.Variable("KUBERNETES_SERVICE_PORT") is { Length: > 0 } p ? p : "443";
        if (!int.TryParse(port, out var portNumber) || portNumber is <= 0 or > 65535)
        {
            return (null, $"KUBERNETES_SERVICE_PORT '{port}' is not a port number.");
        }
        var hostPart = host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
        if (!Uri.TryCreate($"https://{hostPart}:{portNumber}/", UriKind.Absolute, out var server))
        {
            return (null, $"KUBERNETES_SERVICE_HOST '{host}' is not a host name or address.");
        }

        var directory = options.ServiceAccountDirectory;
        var tokenPath = Path.Combine(directory, "token");
        if (!File.Exists(tokenPath))
        {
            return (null, $"In-cluster service account token {tokenPath} is missing: give the BinderOrleans pod a service account token " +
                "(automountServiceAccountToken) or set Kubernetes:Kubeconfig.");
        }
        var caPath = Path.Combine(directory, "ca.crt");
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or FormatException)
        {
            return (null, $"{caPath} cannot be read as a PEM CA bundle: {ex.Message}");
        }
        if (roots.Count == 0) return (null, $"{caPath} holds no PEM certificate.");

        var namespacePath = Path.Combine(directory, "namespace");
        var fromFile = File.Exists(namespacePath) ? File.ReadAllText(namespacePath).Trim() : null;
        var token = new FileTokenProvider(tokenPath, time, options.TokenRefreshInterval);
        var configuration = new KubernetesClientConfiguration { Host = server.AbsoluteUri, SslCaCerts = roots, TokenProvider = token };
        return (new KubeConnection(configuration, ChooseNamespace(options, environment, fromFile), $"in-cluster service account ({directory})", token), null);
    }

    private static (KubeConnection?, string?) FromKubeconfig(IReadOnlyList<string> files, KubernetesOptions options, KubeEnvironment environment)
    {
        var described = string.Join(", ", files);
        K8SConfiguration config;
        try
        {
            config = Merge(files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f))).ToList());
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            return (null, $"kubeconfig {described} cannot be read: {ex.Message}");
        }

        var contextName = options.Context is { Length: > 0 } c ? c : config.CurrentContext;
        if (string.IsNullOrEmpty(contextName)) return (null, $"kubeconfig {described} has no current-context; set one or set Kubernetes:Context.");
        var context = config.Contexts?.FirstOrDefault(x => x.Name == contextName);
        if (context is null) return (null, $"kubeconfig {described} has no context named '{contextName}'.");
        try
        {
            // Runs an exec plugin once here, so a broken plugin stops the start instead of the first build.
            var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(config, contextName);
            return (new KubeConnection(configuration, ChooseNamespace(options, environment, context.ContextDetails?.Namespace),
                $"kubeconfig {described} (context '{contextName}')", null), null);
        }
        catch (Exception ex) when (ex is KubeConfigException or IOException or UnauthorizedAccessException or CryptographicException or FormatException)
        {
            return (null, $"kubeconfig {described} (context '{contextName}') cannot be used: {ex.Message}");
        }
    }

    /// <summary>kubectl's merge of several files: the first file that has a current-context or a named entry wins.</summary>
    private static K8SConfiguration Merge(List<K8SConfiguration> configs)
    {
        var merged = configs[0];
        foreach (var other in configs.Skip(1))
        {
            merged.CurrentContext ??= other.CurrentContext;
            merged.Clusters = FirstByName(merged.Clusters, other.Clusters, x => x.Name);
            merged.Users = FirstByName(merged.Users, other.Users, x => x.Name);
            merged.Contexts = FirstByName(merged.Contexts, other.Contexts, x => x.Name);
        }
        return merged;
    }

    private static List<T> FirstByName<T>(IEnumerable<T>? first, IEnumerable<T>? second, Func<T, string> name) =>
        (first ?? []).Concat(second ?? []).DistinctBy(name).ToList();

    private static string ChooseNamespace(KubernetesOptions options, KubeEnvironment environment, string? fallback) =>
        options.Namespace is { Length: > 0 } configured ? configured
        : environment.Variable("BUILD_NAMESPACE") is { Length: > 0 } fromEnv ? fromEnv
        : fallback is { Length: > 0 } ? fallback
        : DefaultNamespace;
}
