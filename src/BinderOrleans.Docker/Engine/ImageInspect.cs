using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary><c>GET /images/{name}/json</c>, the fields we use.</summary>
internal sealed record ImageInspect
{
    [JsonPropertyName("Id")] public string Id { get; init; } = "";
    [JsonPropertyName("RepoTags")] public List<string>? RepoTags { get; init; }
    [JsonPropertyName("Created")] public string? Created { get; init; }
    [JsonPropertyName("Size")] public long Size { get; init; }
    [JsonPropertyName("Config")] public ImageConfig? Config { get; init; }

    internal sealed record ImageConfig
    {
        [JsonPropertyName("Cmd")] public List<string>? Cmd { get; init; }
        [JsonPropertyName("Entrypoint")] public List<string>? Entrypoint { get; init; }
        [JsonPropertyName("Env")] public List<string>? Env { get; init; }
        [JsonPropertyName("User")] public string? User { get; init; }
        [JsonPropertyName("WorkingDir")] public string? WorkingDir { get; init; }
        [JsonPropertyName("Labels")] public Dictionary<string, string>? Labels { get; init; }
    }
}
