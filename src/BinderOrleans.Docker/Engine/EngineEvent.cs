using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>One entry of <c>GET /events</c>.</summary>
internal sealed record EngineEvent
{
    [JsonPropertyName("Type")] public string? Type { get; init; }
    [JsonPropertyName("Action")] public string? Action { get; init; }
    [JsonPropertyName("Actor")] public EventActor? Actor { get; init; }
    [JsonPropertyName("time")] public long Time { get; init; }

    internal sealed record EventActor
    {
        [JsonPropertyName("ID")] public string? Id { get; init; }
        [JsonPropertyName("Attributes")] public Dictionary<string, string>? Attributes { get; init; }
    }
}
