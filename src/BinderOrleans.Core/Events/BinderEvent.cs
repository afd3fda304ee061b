using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BinderOrleans.Core.Events;

/// <summary>
/// One event of the <c>/build</c> stream, field for field BinderHub's JSON (absent fields are omitted).
/// The same record goes out over SSE and SignalR through <see cref="BinderEventJson"/>.
/// </summary>
public sealed record BinderEvent
{
    [JsonPropertyName("phase")] public required string Phase { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("imageName")] public string? ImageName { get; init; }
    [JsonPropertyName("status_code")] public int? StatusCode { get; init; }
    [JsonPropertyName("progress")] public JsonNode? Progress { get; init; }
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("token")] public string? Token { get; init; }
    [JsonPropertyName("image")] public string? Image { get; init; }
    [JsonPropertyName("repo_url")] public string? RepoUrl { get; init; }
    [JsonPropertyName("binder_ref_url")] public string? BinderRefUrl { get; init; }
    [JsonPropertyName("binder_launch_host")] public string? BinderLaunchHost { get; init; }
    [JsonPropertyName("binder_request")] public string? BinderRequest { get; init; }
    [JsonPropertyName("binder_persistent_request")] public string? BinderPersistentRequest { get; init; }
    [JsonPropertyName("binder_client_ip")] public string? BinderClientIp { get; init; }

    /// <summary>On the last <c>built</c> or <c>failed</c> event of a build that ran: where its whole log can be read later (not BinderHub's).</summary>
    [JsonPropertyName("build_log_url")] public string? BuildLogUrl { get; init; }

    [JsonIgnore] public bool IsTerminal => BinderPhase.IsTerminal(Phase);

    /// <summary>A <c>failed</c> event; the message gets BinderHub's trailing newline.</summary>
    public static BinderEvent Failed(string message, int? statusCode = null) =>
        new() { Phase = BinderPhase.Failed, Message = WithNewline(message), StatusCode = statusCode };

    public static BinderEvent Of(string phase, string message) => new() { Phase = phase, Message = WithNewline(message) };

    internal static string WithNewline(string message) => message.EndsWith('\n') ? message : message + "\n";
}
