namespace BinderOrleans.Kubernetes.Api.Models;

internal sealed record ListMeta
{
    /// <summary>Where a watch continues from after this list.</summary>
    public string? ResourceVersion { get; init; }

    public string? Continue { get; init; }
}
