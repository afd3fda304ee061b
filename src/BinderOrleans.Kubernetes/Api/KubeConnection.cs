using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace BinderOrleans.Kubernetes.Api;

/// <summary>Where the API server is and how to talk to it: resolved once from in-cluster files or a kubeconfig.</summary>
internal sealed class KubeConnection : IDisposable
{
    /// <summary>API server base URL, ending with <c>/</c>.</summary>
    public required Uri Server { get; init; }

    public required string Namespace { get; init; }

    /// <summary>Human description for logs and errors, e.g. <c>in-cluster service account</c>. Never holds secrets.</summary>
    public required string Source { get; init; }

    public IKubeTokenSource? Token { get; init; }

    /// <summary>mTLS client certificate (kind, k3s, minikube, kubeadm admin configs).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The only roots trusted for the API server's certificate; null = the system's trust store.</summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>kubeconfig <c>tls-server-name</c>: the name checked in the server certificate instead of the URL host.</summary>
    public string? TlsServerName { get; init; }

    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Watches and log follows hold connections open; builds in flight must not queue behind each other.
            MaxConnectionsPerServer = int.MaxValue,
            UseProxy = false,
        };
        if (Server.Scheme != Uri.UriSchemeHttps) return handler;

        if (TlsServerName is { Length: > 0 } serverName) handler.SslOptions.TargetHost = serverName;
        if (ClientCertificate is { } certificate) handler.SslOptions.ClientCertificates = new X509CertificateCollection { certificate };
        handler.SslOptions.RemoteCertificateValidationCallback = ValidateServerCertificate;
        return handler;
    }

    private bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (InsecureSkipTlsVerify) return true;
        if (TrustedRoots is null) return errors == SslPolicyErrors.None;
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }
        // Trust exactly the cluster CA bundle, not the machine's roots (kubernetes.io "Access the API from a Pod").
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(TrustedRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    public void Dispose()
    {
        ClientCertificate?.Dispose();
        if (TrustedRoots is null) return;
        foreach (var root in TrustedRoots) root.Dispose();
    }
}
