using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>PEM text of a certificate and its key, as a kubeconfig carries them.</summary>
public static class CertificatePem
{
    public static string Certificate(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    public static string Key(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() as AsymmetricAlgorithm ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException("certificate has no private key")).ExportPkcs8PrivateKeyPem();
}
