namespace BinderOrleans.Kubernetes.Api.Models;

internal sealed record ContainerStatus
{
    public string? Name { get; init; }
    public ContainerState? State { get; init; }
    public bool Ready { get; init; }
    public int RestartCount { get; init; }
}
