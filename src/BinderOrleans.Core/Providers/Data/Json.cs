using System.Text.Json;

namespace BinderOrleans.Core.Providers.Data;

/// <summary>Lenient reads of the repositories' JSON: a missing or mistyped value is null, never an exception.</summary>
internal static class Json
{
    public static JsonElement? Path(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element)) return null;
        }
        return element;
    }

    public static string? String(JsonElement element, params string[] path) =>
        Path(element, path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static long? Long(JsonElement element, params string[] path) =>
        Path(element, path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var n) ? n : null;

    /// <summary>An absolute http(s) URL, or null.</summary>
    public static Uri? Uri(JsonElement element, params string[] path) =>
        String(element, path) is { } text && System.Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : null;
}
