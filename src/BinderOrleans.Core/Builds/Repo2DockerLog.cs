using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Reads repo2docker's <c>--json-logs</c> lines (<c>{"message": …, "phase": …}</c>) as BinderHub does: phases
/// <c>fetching</c>, <c>building</c>, <c>pushing</c> pass through, <c>failed</c> or <c>failure</c> fail the build, and a
/// line that is not a JSON object becomes an <c>unknown</c> event carrying the raw text.
/// </summary>
internal static class Repo2DockerLog
{
    /// <summary>
    /// The event for one line, or null for a blank line. A JSON line without a known phase ("Picked Git content
    /// provider.") keeps the phase of the line before it, so the client's progress does not jump back.
    /// </summary>
    public static BinderEvent? Parse(string line, string? previousPhase)
    {
        var text = line.TrimEnd('\r');
        if (text.Length == 0) return null;
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }
        if (json is null) return new BinderEvent { Phase = BinderPhase.Unknown, Message = WithNewline(text) };

        var message = json["message"] switch
        {
            JsonValue value when value.TryGetValue<string>(out var s) => s,
            null => "",
            var other => other.ToJsonString(),
        };
        var phase = (json["phase"] as JsonValue)?.TryGetValue<string>(out var p) == true ? p.ToLowerInvariant() : null;
        return phase switch
        {
            "failed" or "failure" => BinderEvent.Failed(message),
            BinderPhase.Fetching or BinderPhase.Building or BinderPhase.Pushing => new BinderEvent
            {
                Phase = phase,
                Message = WithNewline(message),
                Progress = json["progress"]?.DeepClone(),
            },
            _ => new BinderEvent { Phase = previousPhase ?? BinderPhase.Unknown, Message = WithNewline(message) },
        };
    }

    private static string WithNewline(string message) => message.EndsWith('\n') ? message : message + "\n";
}
