using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>One entry of <c>GET /events</c>.</summary>
internal sealed record EngineEvent
{
    [JsonPropertyName("Type")] public string? Type { get; init; }
    [JsonPropertyName("Action")] public string? Action { get; init; }
    [JsonPropertyName("Actor")] public EventActor? Actor { get; init; }
    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("time")] public long Time { get; init; }

    /// <summary>Unix nanoseconds (the filter's <c>since</c> only has whole seconds).</summary>
    [JsonPropertyName("timeNano")] public long TimeNano { get; init; }

    [JsonIgnore] public DateTimeOffset At => DateTimeOffset.FromUnixTimeMilliseconds(TimeNano / 1_000_000);

    internal sealed record EventActor
    {
        [JsonPropertyName("ID")] public string? Id { get; init; }
        [JsonPropertyName("Attributes")] public Dictionary<string, string>? Attributes { get; init; }
    }
}
