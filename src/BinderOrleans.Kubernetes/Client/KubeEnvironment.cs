namespace BinderOrleans.Kubernetes.Client;

/// <summary>The process environment the connection loader reads; tests substitute their own.</summary>
/// <param name="Variable">Reads an environment variable (<c>KUBERNETES_SERVICE_HOST</c>, <c>KUBECONFIG</c>, <c>BUILD_NAMESPACE</c>).</param>
/// <param name="HomeDirectory">Where <c>.kube/config</c> is looked for.</param>
internal sealed record KubeEnvironment(Func<string, string?> Variable, string HomeDirectory)
{
    public static KubeEnvironment System { get; } = new(
        Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
}
