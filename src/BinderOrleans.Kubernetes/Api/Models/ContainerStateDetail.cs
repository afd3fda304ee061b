namespace BinderOrleans.Kubernetes.Api.Models;

/// <summary>The fields of <c>waiting</c>, <c>running</c> and <c>terminated</c> that are read here.</summary>
internal sealed record ContainerStateDetail
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public int? ExitCode { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
}
