namespace BinderOrleans.Kubernetes.Api;

/// <summary>Supplies the bearer token of API requests.</summary>
internal interface IKubeTokenSource
{
    /// <summary>False for a fixed token: re-asking after a 401 cannot help.</summary>
    bool CanRefresh { get; }

    /// <param name="refresh">Re-read now (after a 401) instead of using a recent copy.</param>
    ValueTask<string> GetTokenAsync(bool refresh, CancellationToken cancellationToken);
}
