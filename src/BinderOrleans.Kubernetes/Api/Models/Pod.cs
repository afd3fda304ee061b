using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BinderOrleans.Kubernetes.Api.Models;

/// <summary>A core/v1 Pod as read back from the API: typed metadata and status; the spec stays JSON.</summary>
internal sealed record Pod
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public ObjectMeta Metadata { get; init; } = new();
    public JsonObject? Spec { get; init; }
    public PodStatus? Status { get; init; }

    [JsonIgnore] public string Name => Metadata.Name ?? "";

    [JsonIgnore] public string? Phase => Status?.Phase;

    /// <summary>The named container's status, if the kubelet has reported it.</summary>
    public ContainerStatus? Container(string name) => Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == name);
}
