namespace BinderOrleans.Kubernetes.Api.Models;

internal sealed record PodStatus
{
    /// <summary><c>Pending</c>, <c>Running</c>, <c>Succeeded</c>, <c>Failed</c> or <c>Unknown</c>.</summary>
    public string? Phase { get; init; }

    /// <summary>E.g. <c>Evicted</c> (evicted pods have phase <c>Failed</c>).</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public List<ContainerStatus>? ContainerStatuses { get; init; }
}
