using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace BinderOrleans.Kubernetes.Api;

/// <summary>
/// Resolves the API server connection: an explicit <c>Kubernetes:Kubeconfig</c> first, then the in-cluster service
/// account (when <c>KUBERNETES_SERVICE_HOST</c> is set), then <c>KUBECONFIG</c>, then <c>~/.kube/config</c>.
/// Problems come back as one message that names the file or setting to fix.
/// </summary>
internal static class KubeConnectionLoader
{
    public const string DefaultNamespace = "default";

    public static (KubeConnection? Connection, string? Error) Load(KubernetesOptions options, KubeEnvironment environment, TimeProvider time)
    {
        if (options.Kubeconfig is { Length: > 0 } explicitPath)
        {
            if (!File.Exists(explicitPath)) return (null, $"Kubernetes:Kubeconfig names {explicitPath}, which does not exist.");
            return FromKubeconfig([explicitPath], options, environment, time);
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
            return FromKubeconfig(files, options, environment, time);
        }
        var home = Path.Combine(environment.HomeDirectory, ".kube", "config");
        if (File.Exists(home)) return FromKubeconfig([home], options, environment, time);
        return (null,
            "No Kubernetes API to talk to: KUBERNETES_SERVICE_HOST is not set (not running in a cluster) and no kubeconfig was found " +
            $"(Kubernetes:Kubeconfig, KUBECONFIG, {home}). Set Kubernetes:Kubeconfig, or run in a cluster, or set Build:Backend to docker.");
    }

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
        var (roots, caError) = ReadRoots(() => File.ReadAllText(caPath), caPath);
        if (caError is not null) return (null, caError);

        var namespacePath = Path.Combine(directory, "namespace");
        var fromFile = File.Exists(namespacePath) ? File.ReadAllText(namespacePath).Trim() : null;
        return (new KubeConnection
        {
            Server = server,
            Namespace = ChooseNamespace(options, environment, fromFile),
            Source = $"in-cluster service account ({directory})",
            Token = new FileTokenSource(tokenPath, time, options.TokenRefreshInterval),
            TrustedRoots = roots,
        }, null);
    }

    private static (KubeConnection?, string?) FromKubeconfig(IReadOnlyList<string> files, KubernetesOptions options, KubeEnvironment environment, TimeProvider time)
    {
        var (config, error) = Kubeconfig.Load(files);
        if (config is null) return (null, error);
        var described = string.Join(", ", files);

        var contextName = options.Context is { Length: > 0 } c ? c : config.CurrentContext;
        if (contextName is null) return (null, $"kubeconfig {described} has no current-context; set one or set Kubernetes:Context.");
        var context = config.Context(contextName);
        if (context is null) return (null, $"kubeconfig {described} has no context named '{contextName}'.");
        var clusterName = context["cluster"];
        var cluster = clusterName is null ? null : config.Cluster(clusterName);
        if (cluster is null) return (null, $"kubeconfig context '{contextName}' names cluster '{clusterName}', which {described} does not define.");

        if (!Uri.TryCreate(cluster["server"], UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp))
        {
            return (null, $"kubeconfig cluster '{clusterName}' has no valid https server URL (got '{cluster["server"]}').");
        }
        if (!server.AbsoluteUri.EndsWith('/')) server = new Uri(server.AbsoluteUri + "/");

        X509Certificate2Collection? roots = null;
        if (cluster["certificate-authority-data"] is { Length: > 0 } caData)
        {
            (roots, error) = ReadRoots(() => Encoding.UTF8.GetString(Convert.FromBase64String(caData)), $"certificate-authority-data of cluster '{clusterName}'");
        }
        else if (cluster.PathOf("certificate-authority") is { } caPath)
        {
            (roots, error) = ReadRoots(() => File.ReadAllText(caPath), caPath);
        }
        if (error is not null) return (null, error);

        var userName = context["user"];
        var user = userName is null ? null : config.User(userName);
        if (userName is not null && user is null) return (null, $"kubeconfig context '{contextName}' names user '{userName}', which {described} does not define.");

        IKubeTokenSource? token = null;
        X509Certificate2? certificate = null;
        if (user is not null)
        {
            if (user.Has("exec") || user.Has("auth-provider"))
            {
                return (null, $"kubeconfig user '{userName}' signs in with exec or auth-provider, which BinderOrleans does not run; " +
                    "give it a token, tokenFile or client certificate (e.g. a service account token).");
            }
            if (user["token"] is { Length: > 0 } staticToken) token = new StaticTokenSource(staticToken);
            else if (user.PathOf("tokenFile") is { } tokenFile)
            {
                if (!File.Exists(tokenFile)) return (null, $"kubeconfig user '{userName}' tokenFile {tokenFile} does not exist.");
                token = new FileTokenSource(tokenFile, time, options.TokenRefreshInterval);
            }
            (certificate, error) = ReadClientCertificate(user, userName!);
            if (error is not null) return (null, error);
        }

        return (new KubeConnection
        {
            Server = server,
            Namespace = ChooseNamespace(options, environment, context["namespace"]),
            Source = $"kubeconfig {described} (context '{contextName}')",
            Token = token,
            ClientCertificate = certificate,
            TrustedRoots = roots,
            InsecureSkipTlsVerify = string.Equals(cluster["insecure-skip-tls-verify"], "true", StringComparison.OrdinalIgnoreCase),
            TlsServerName = cluster["tls-server-name"],
        }, null);
    }

    private static (X509Certificate2?, string?) ReadClientCertificate(Kubeconfig.Entry user, string userName)
    {
        string? certificatePem, keyPem;
        try
        {
            certificatePem = user["client-certificate-data"] is { Length: > 0 } cd ? Encoding.UTF8.GetString(Convert.FromBase64String(cd))
                : user.PathOf("client-certificate") is { } cp ? File.ReadAllText(cp) : null;
            keyPem = user["client-key-data"] is { Length: > 0 } kd ? Encoding.UTF8.GetString(Convert.FromBase64String(kd))
                : user.PathOf("client-key") is { } kp ? File.ReadAllText(kp) : null;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            return (null, $"kubeconfig user '{userName}' client certificate or key cannot be read: {ex.Message}");
        }
        if (certificatePem is null && keyPem is null) return (null, null);
        if (certificatePem is null || keyPem is null)
        {
            return (null, $"kubeconfig user '{userName}' has a client certificate or a client key but not both.");
        }
        try
        {
            return (X509Certificate2.CreateFromPem(certificatePem, keyPem), null);
        }
        catch (CryptographicException ex)
        {
            return (null, $"kubeconfig user '{userName}' client certificate and key do not load: {ex.Message}");
        }
    }

    private static (X509Certificate2Collection?, string?) ReadRoots(Func<string> readPem, string what)
    {
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(readPem());
            return roots.Count == 0 ? (null, $"{what} holds no PEM certificate.") : (roots, null);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            return (null, $"{what} cannot be read as a PEM CA bundle: {ex.Message}");
        }
    }

    private static string ChooseNamespace(KubernetesOptions options, KubeEnvironment environment, string? fallback) =>
        options.Namespace is { Length: > 0 } configured ? configured
        : environment.Variable("BUILD_NAMESPACE") is { Length: > 0 } fromEnv ? fromEnv
        : fallback is { Length: > 0 } ? fallback
        : DefaultNamespace;
}
