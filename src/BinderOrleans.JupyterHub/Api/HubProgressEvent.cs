using System.Text.Json;

namespace BinderOrleans.JupyterHub.Api;

/// <summary>One event of a spawn-progress stream (<c>GET users/{name}/server/progress</c>).</summary>
/// <param name="Message">The hub's text, relayed to the client as a <c>launching</c> event.</param>
/// <param name="Ready">The server is up and routed.</param>
/// <param name="Failed">The spawn failed (or was cancelled); <paramref name="Message"/> says why.</param>
internal sealed record HubProgressEvent(string? Message, bool Ready, bool Failed)
{
    /// <summary>Parses one <c>data:</c> payload; null when it is not a JSON object.</summary>
    public static HubProgressEvent? Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return new HubProgressEvent(message, IsTrue(root, "ready"), IsTrue(root, "failed"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsTrue(JsonElement root, string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
