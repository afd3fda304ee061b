namespace BinderOrleans.Kubernetes.Api.Models;

/// <summary>The answer of <c>GET /version</c>.</summary>
internal sealed record KubeVersion
{
    public string? Major { get; init; }
    public string? Minor { get; init; }
    public string? GitVersion { get; init; }
    public string? Platform { get; init; }
}
