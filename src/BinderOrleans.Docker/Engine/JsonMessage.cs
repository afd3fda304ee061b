using System.Text.Json;
using System.Text.Json.Serialization;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// One line of the engine's streamed JSON progress (build, push, pull, load): <c>stream</c> text, <c>status</c>
/// with <c>id</c>/<c>progress</c>, <c>aux</c> payloads, or an <c>error</c> that ends the operation.
/// </summary>
internal sealed record JsonMessage
{
    [JsonPropertyName("stream")] public string? Stream { get; init; }
    [JsonPropertyName("status")] public string? Status { get; init; }
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("progress")] public string? Progress { get; init; }
    [JsonPropertyName("progressDetail")] public JsonProgressDetail? ProgressDetail { get; init; }
    [JsonPropertyName("aux")] public JsonElement? Aux { get; init; }
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("errorDetail")] public JsonErrorDetail? ErrorDetail { get; init; }

    /// <summary>The error text, from <c>errorDetail.message</c> or <c>error</c>; null when this line is not an error.</summary>
    [JsonIgnore]
    public string? ErrorMessage => ErrorDetail?.Message is { Length: > 0 } detail ? detail : Error is { Length: > 0 } error ? error : null;
}

internal sealed record JsonProgressDetail(
    [property: JsonPropertyName("current")] long? Current,
    [property: JsonPropertyName("total")] long? Total);

internal sealed record JsonErrorDetail(
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("message")] string? Message);
