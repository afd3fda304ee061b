using System.Text.Json;
using System.Text.Json.Serialization;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Hubs;

/// <summary>
/// Writes an event as <see cref="BinderEventJson.Serialize"/> makes it, byte for byte: the bytes the event encoded
/// once (<see cref="BinderEvent.Utf8Json"/>), the very bytes of the SSE <c>data:</c> lines. SignalR serializes onto its
/// own writer (with its own escaping), so type info alone would give equal values but different text.
/// </summary>
internal sealed class BinderEventWireConverter : JsonConverter<BinderEvent>
{
    public override BinderEvent? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return BinderEventJson.Deserialize(doc.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, BinderEvent value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8Json.Span, skipInputValidation: true);
}
