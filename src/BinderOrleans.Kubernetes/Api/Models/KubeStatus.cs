namespace BinderOrleans.Kubernetes.Api.Models;

/// <summary>The API's error body (<c>kind: Status</c>), also the object of a watch <c>ERROR</c> event.</summary>
internal sealed record KubeStatus
{
    public string? Kind { get; init; }
    public string? Status { get; init; }
    public string? Message { get; init; }

    /// <summary>E.g. <c>AlreadyExists</c>, <c>NotFound</c>, <c>Expired</c>, <c>Unauthorized</c>.</summary>
    public string? Reason { get; init; }

    public int Code { get; init; }
}
