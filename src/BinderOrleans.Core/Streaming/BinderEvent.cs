using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace BinderOrleans.Core.Streaming;

/// <summary>
/// One event of the <c>/build</c> stream, field for field BinderHub's JSON (absent fields are omitted).
/// The same record goes out over SSE and SignalR through <see cref="BinderEventJson"/>, and crosses grain boundaries
/// through Orleans' serializer (immutable: never copied between grains of one silo).
/// </summary>
[GenerateSerializer, Immutable, Alias("binder.event")]
public sealed record BinderEvent
{
    [Id(0), JsonPropertyName("phase")] public required string Phase { get; init; }
    [Id(1), JsonPropertyName("message")] public string? Message { get; init; }
    [Id(2), JsonPropertyName("imageName")] public string? ImageName { get; init; }
    [Id(3), JsonPropertyName("status_code")] public int? StatusCode { get; init; }
    // Kept as JSON text: Orleans has no codec for JsonNode, and text is immutable, so events need no copying.
    [Id(4)] private readonly string? _progressJson;

    [JsonPropertyName("progress")]
    public JsonNode? Progress
    {
        get => _progressJson is null ? null : JsonNode.Parse(_progressJson);
        init => _progressJson = value?.ToJsonString();
    }
    [Id(5), JsonPropertyName("url")] public string? Url { get; init; }
    [Id(6), JsonPropertyName("token")] public string? Token { get; init; }
    [Id(7), JsonPropertyName("image")] public string? Image { get; init; }
    [Id(8), JsonPropertyName("repo_url")] public string? RepoUrl { get; init; }
    [Id(9), JsonPropertyName("binder_ref_url")] public string? BinderRefUrl { get; init; }
    [Id(10), JsonPropertyName("binder_launch_host")] public string? BinderLaunchHost { get; init; }
    [Id(11), JsonPropertyName("binder_request")] public string? BinderRequest { get; init; }
    [Id(12), JsonPropertyName("binder_persistent_request")] public string? BinderPersistentRequest { get; init; }
    [Id(13), JsonPropertyName("binder_client_ip")] public string? BinderClientIp { get; init; }


    /// <summary>
    /// On <c>ready</c>, set by the launcher: how many times it retried before the server came up (BinderHub's
    /// <c>retries</c> label of <c>binderhub_launch_time_seconds</c>). Not part of the event's JSON.
    /// </summary>
    [Id(14), JsonIgnore] public int Retries { get; init; }

    /// <summary>On the last <c>built</c> or <c>failed</c> event of a build that ran: where its whole log can be read later (not BinderHub's).</summary>
    [Id(15), JsonPropertyName("build_log_url")] public string? BuildLogUrl { get; init; }

    /// <summary>
    /// On <c>ready</c>, set by the launcher: what <see cref="Ports.ILauncher.StopAsync"/> needs to stop the server again
    /// (a launch that completes after its client left). Not part of the event's JSON; the launch session keeps it and
    /// removes it from the event it records.
    /// </summary>
    [Id(16), JsonIgnore] public string? Server { get; init; }

    [JsonIgnore] public bool IsTerminal => BinderPhase.IsTerminal(Phase);

    // Not on the wire ([Id]-less) and not in the JSON (a field): the event's JSON, made once for every client.
    [NonSerialized] private Utf8JsonCache _utf8Json;

    /// <summary>
    /// The event as <see cref="BinderEventJson"/> writes it, in UTF-8, encoded once and shared by every stream that sends
    /// it (SSE and SignalR write these bytes). A copy made with <c>with</c> encodes its own.
    /// </summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte> Utf8Json
    {
        get
        {
            if (_utf8Json.For(this) is { } cached) return cached;
            var bytes = BinderEventJson.SerializeToUtf8Bytes(this);
            _utf8Json = new Utf8JsonCache(this, bytes);
            return bytes;
        }
    }

    /// <summary>A <c>failed</c> event; the message gets BinderHub's trailing newline.</summary>
    public static BinderEvent Failed(string message, int? statusCode = null) =>
        new() { Phase = BinderPhase.Failed, Message = WithNewline(message), StatusCode = statusCode };

    public static BinderEvent Of(string phase, string message) => new() { Phase = phase, Message = WithNewline(message) };

    internal static string WithNewline(string message) => message.EndsWith('\n') ? message : message + "\n";

    /// <summary>
    /// The cached bytes and the event they were made for: a record's <c>with</c> copies the field, and the copy must not
    /// take the original's bytes. Equal to every other cache, so the record's equality stays that of its values.
    /// </summary>
    private readonly struct Utf8JsonCache(BinderEvent owner, byte[] bytes) : IEquatable<Utf8JsonCache>
    {
        private readonly Entry? _entry = new(owner, bytes);

        public byte[]? For(BinderEvent e) => _entry is { } entry && ReferenceEquals(entry.Owner, e) ? entry.Bytes : null;

        public bool Equals(Utf8JsonCache other) => true;

        public override bool Equals(object? obj) => obj is Utf8JsonCache;

        public override int GetHashCode() => 0;

        private sealed class Entry(BinderEvent owner, byte[] bytes)
        {
            public BinderEvent Owner { get; } = owner;

            public byte[] Bytes { get; } = bytes;
        }
    }
}
