using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>One entry of <c>GET /images/json</c>.</summary>
internal sealed record ImageSummary
{
    [JsonPropertyName("Id")] public string Id { get; init; } = "";
    [JsonPropertyName("ParentId")] public string? ParentId { get; init; }
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; init; }
    [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; init; }
    [JsonPropertyName("Created")] public long Created { get; init; }
}
