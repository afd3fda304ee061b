namespace BinderOrleans.Kubernetes.Api;

/// <summary>A token written in a kubeconfig.</summary>
internal sealed class StaticTokenSource(string token) : IKubeTokenSource
{
    public bool CanRefresh => false;

    public ValueTask<string> GetTokenAsync(bool refresh, CancellationToken cancellationToken) => ValueTask.FromResult(token);
}
