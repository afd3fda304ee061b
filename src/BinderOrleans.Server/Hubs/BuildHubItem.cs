using System.Text.Json.Serialization;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Hubs;

/// <summary>An item of the hub's <c>Watch</c> stream: the event (the same JSON as the SSE <c>data:</c> line) and its id.</summary>
internal sealed record BuildHubItem([property: JsonPropertyName("id")] string? Id, [property: JsonPropertyName("event")] BinderEvent Event);
