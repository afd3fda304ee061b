using System.Text.Json;

namespace BinderOrleans.JupyterHub.Api;

/// <summary>What one hub API call came back with; connection failures are values too.</summary>
/// <param name="Status">HTTP status, or 0 when the hub could not be reached (connection refused, reset, timed out).</param>
/// <param name="Body">Response body (empty when none).</param>
/// <param name="Error">Why the hub could not be reached, when <paramref name="Status"/> is 0.</param>
/// <param name="ConflictOnRetry">A 409 on a retried call: the earlier attempt most likely went through, so this counts as success.</param>
internal sealed record HubResponse(int Status, string Body, string? Error = null, bool ConflictOnRetry = false)
{
    public static HubResponse Unreachable(string error) => new(0, "", error);

    public bool Reached => Status != 0;

    public bool IsSuccess => Status is >= 200 and < 300 || ConflictOnRetry;

    /// <summary>The hub's own error text (<c>{"status": …, "message": …}</c>), else the body, else the status.</summary>
    public string HubMessage
    {
        get
        {
            if (!Reached) return Error ?? "no answer";
            if (Body.Length > 0 && Body.TrimStart().StartsWith('{'))
            {
                try
                {
                    using var doc = JsonDocument.Parse(Body);
                    if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) return m.GetString()!;
                }
                catch (JsonException)
                {
                }
            }
            return Body.Length is > 0 and <= 300 ? Body.Trim() : $"HTTP {Status}";
        }
    }

    /// <summary>For messages to users: "could not be reached (…)" or "answered 403: …".</summary>
    public string Describe(Uri apiUri) =>
        Reached ? $"JupyterHub answered {Status}: {HubMessage}" : $"the JupyterHub API at {apiUri} could not be reached ({Error})";
}
