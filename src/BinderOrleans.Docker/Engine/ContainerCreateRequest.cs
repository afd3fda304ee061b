using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>Body of <c>POST /containers/create</c>: what <c>docker run</c> would send, limited to what we set.</summary>
internal sealed record ContainerCreateRequest
{
    [JsonPropertyName("Image")] public required string Image { get; init; }
    [JsonPropertyName("Cmd")] public List<string>? Cmd { get; init; }
    /// <summary>Null keeps the image's entrypoint; an empty list clears it.</summary>
    [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; init; }
    [JsonPropertyName("Env")] public List<string>? Env { get; init; }
    [JsonPropertyName("User")] public string? User { get; init; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("AttachStdout")] public bool AttachStdout { get; init; }
    [JsonPropertyName("AttachStderr")] public bool AttachStderr { get; init; }
    [JsonPropertyName("HostConfig")] public HostConfigSection? HostConfig { get; init; }

    internal sealed record HostConfigSection
    {
        [JsonPropertyName("NetworkMode")] public string? NetworkMode { get; init; }
        [JsonPropertyName("AutoRemove")] public bool AutoRemove { get; init; }
        [JsonPropertyName("Init")] public bool? Init { get; init; }
    }
}
