namespace BinderOrleans.Kubernetes.Api.Models;

/// <summary>Exactly one of the three is set.</summary>
internal sealed record ContainerState
{
    public ContainerStateDetail? Waiting { get; init; }
    public ContainerStateDetail? Running { get; init; }
    public ContainerStateDetail? Terminated { get; init; }
}
