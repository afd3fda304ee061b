namespace BinderOrleans.Kubernetes.Api.Models;

internal sealed record PodList
{
    public ListMeta Metadata { get; init; } = new();
    public List<Pod> Items { get; init; } = [];
}
