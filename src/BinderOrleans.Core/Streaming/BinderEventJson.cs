using System.Text.Json;
using System.Text.Json.Serialization;

namespace BinderOrleans.Core.Streaming;

/// <summary>The one serializer for events, shared by SSE, SignalR and the build-log store.</summary>
public static class BinderEventJson
{
    public static JsonSerializerOptions Options => BinderEventJsonContext.Default.Options;

    public static string Serialize(BinderEvent e) => JsonSerializer.Serialize(e, BinderEventJsonContext.Default.BinderEvent);

    public static byte[] SerializeToUtf8Bytes(BinderEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, BinderEventJsonContext.Default.BinderEvent);

    public static BinderEvent? Deserialize(string json) => JsonSerializer.Deserialize(json, BinderEventJsonContext.Default.BinderEvent);
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BinderEvent))]
internal sealed partial class BinderEventJsonContext : JsonSerializerContext;
