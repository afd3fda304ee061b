using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>One entry of <c>GET /containers/json</c>.</summary>
internal sealed record ContainerSummary
{
    [JsonPropertyName("Id")] public string Id { get; init; } = "";
    [JsonPropertyName("Names")] public List<string>? Names { get; init; }
    [JsonPropertyName("Image")] public string? Image { get; init; }
    [JsonPropertyName("Command")] public string? Command { get; init; }
    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("Created")] public long Created { get; init; }
    [JsonPropertyName("State")] public string? State { get; init; }
    [JsonPropertyName("Status")] public string? Status { get; init; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; init; }
}
