using System.Text.Json;
using System.Text.Json.Serialization;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Hubs;

/// <summary>
/// Writes an event as <see cref="BinderEventJson.Serialize"/> makes it, byte for byte. SignalR serializes onto its
/// own writer (with its own escaping), so type info alone would give equal values but different text; splicing the
/// one serializer's output in keeps the hub's items identical to the SSE <c>data:</c> lines.
/// </summary>
internal sealed class BinderEventWireConverter : JsonConverter<BinderEvent>
{
    public override BinderEvent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return BinderEventJson.Deserialize(doc.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, BinderEvent value, JsonSerializerOptions options) =>
        writer.WriteRawValue(BinderEventJson.Serialize(value), skipInputValidation: true);
}
