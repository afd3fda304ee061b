using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary><c>GET /version</c>, the fields we show.</summary>
internal sealed record EngineVersion(
    [property: JsonPropertyName("Version")] string? Version,
    [property: JsonPropertyName("ApiVersion")] string? ApiVersion,
    [property: JsonPropertyName("MinAPIVersion")] string? MinApiVersion,
    [property: JsonPropertyName("Os")] string? Os,
    [property: JsonPropertyName("Arch")] string? Arch);
