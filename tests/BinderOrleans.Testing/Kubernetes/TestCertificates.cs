using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>A throwaway CA and the certificates it signs, like a cluster's CA and its API server and client certificates.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 authority) => Authority = authority;

    /// <summary>The CA (with its key), whose PEM goes into <c>certificate-authority-data</c> or <c>ca.crt</c>.</summary>
    public X509Certificate2 Authority { get; }

    public static TestCertificates Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=binderorleans-test-ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return new TestCertificates(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));
    }

    /// <summary>A server certificate for 127.0.0.1 and localhost.</summary>
    public X509Certificate2 IssueServer() => Issue("CN=kube-apiserver", server: true);

    /// <summary>A client certificate (mTLS user), e.g. <c>CN=kubernetes-admin</c>.</summary>
    public X509Certificate2 IssueClient(string subject = "CN=binderorleans-test-user") => Issue(subject, server: false);

    public string AuthorityPem => Authority.ExportCertificatePem();

    private X509Certificate2 Issue(string subject, bool server)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        // Never past the authority's own end, which was fixed when it was made (a moment before now).
        var notAfter = now.AddDays(1) < Authority.NotAfter.ToUniversalTime() ? now.AddDays(1) : new DateTimeOffset(Authority.NotAfter.ToUniversalTime());
        using var issued = request.Create(Authority, now.AddMinutes(-5), notAfter, serial);
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose() => Authority.Dispose();
}
