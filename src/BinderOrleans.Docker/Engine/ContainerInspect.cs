using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary><c>GET /containers/{id}/json</c>, the fields we use.</summary>
internal sealed record ContainerInspect
{
    [JsonPropertyName("Id")] public string Id { get; init; } = "";
    [JsonPropertyName("Name")] public string? Name { get; init; }
    [JsonPropertyName("Created")] public DateTimeOffset Created { get; init; }
    [JsonPropertyName("Args")] public List<string>? Args { get; init; }
    [JsonPropertyName("State")] public ContainerState? State { get; init; }
    [JsonPropertyName("Config")] public ContainerConfig? Config { get; init; }

    internal sealed record ContainerState
    {
        /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
        [JsonPropertyName("Status")] public string? Status { get; init; }
        [JsonPropertyName("Running")] public bool Running { get; init; }
        [JsonPropertyName("ExitCode")] public int ExitCode { get; init; }
        [JsonPropertyName("Error")] public string? Error { get; init; }
        [JsonPropertyName("StartedAt")] public DateTimeOffset? StartedAt { get; init; }
        [JsonPropertyName("FinishedAt")] public DateTimeOffset? FinishedAt { get; init; }
    }

    internal sealed record ContainerConfig
    {
        [JsonPropertyName("Image")] public string? Image { get; init; }
        [JsonPropertyName("Cmd")] public List<string>? Cmd { get; init; }
        [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; init; }
    }
}
