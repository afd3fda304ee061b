using k8s;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>Where the API server is and how to talk to it, resolved once from in-cluster files or a kubeconfig.</summary>
/// <param name="Configuration">KubernetesClient's settings: server, CA, credentials (token, client certificate, exec plugin).</param>
/// <param name="Namespace">The build namespace.</param>
/// <param name="Source">Human description for logs and errors, e.g. <c>in-cluster service account</c>. Never holds secrets.</param>
/// <param name="TokenFile">The in-cluster token file, re-read after a 401; null for kubeconfig users.</param>
internal sealed record KubeConnection(KubernetesClientConfiguration Configuration, string Namespace, string Source, FileTokenProvider? TokenFile)
{
    public Uri Server => new(Configuration.Host.EndsWith('/') ? Configuration.Host : Configuration.Host + "/");
}
