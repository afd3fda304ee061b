using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Registry;

/// <summary>
/// Turns the engine's push stream into repo2docker's (≤ 2024.07) <c>pushing</c> events:
/// <c>{"phase":"pushing","message":"Pushing image\n","progress":{&lt;layer id&gt;: {"current":…,"total":…} | "&lt;status&gt;"}}</c>.
/// A layer's entry is its byte progress while it has one, else its status text (Preparing, Waiting, Pushed, Layer already exists).
/// An event goes out when a layer changes status or finishes its bytes, and at most every <see cref="Interval"/> for byte updates
/// in between, so the stream stays small but every layer's last byte count (at or, with tar overhead, past its total) is seen.
/// </summary>
public sealed class PushProgress
{
    public const string Message = "Pushing image\n";

    /// <summary>repo2docker's throttle for byte updates.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1.5);

    private readonly Dictionary<string, JsonNode> _layers = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly TimeProvider _time;
    private long _lastEmit;

    public PushProgress(TimeProvider time)
    {
        _time = time;
        _lastEmit = time.GetTimestamp();
    }

    /// <summary>Takes one line of the push stream; returns the event to send, or null when this line needs none.</summary>
    /// <param name="id">The layer id (lines without one, such as "The push refers to repository …", are not layer progress).</param>
    /// <param name="status">The engine's status text.</param>
    /// <param name="current">Bytes sent so far, when the line carries progress.</param>
    /// <param name="total">Bytes to send, when known.</param>
    public BinderEvent? Observe(string? id, string? status, long? current, long? total)
    {
        if (string.IsNullOrEmpty(id)) return null;
        var isBytes = current is not null && total is > 0;
        JsonNode entry = isBytes ? new JsonObject { ["current"] = current, ["total"] = total } : JsonValue.Create(status ?? "")!;

        var previous = _layers.GetValueOrDefault(id);
        if (previous is null) _order.Add(id);
        _layers[id] = entry;

        bool emit;
        if (previous is null) emit = true;
        else if (!isBytes) emit = !JsonNode.DeepEquals(previous, entry);
        else if (previous is not JsonObject) emit = true;
        else if (JsonNode.DeepEquals(previous, entry)) emit = false;
        else emit = current >= total || _time.GetElapsedTime(_lastEmit) >= Interval;
        if (!emit) return null;
        return Snapshot();
    }

    /// <summary>The current state of every layer as one event.</summary>
    public BinderEvent Snapshot()
    {
        _lastEmit = _time.GetTimestamp();
        var progress = new JsonObject();
        foreach (var id in _order) progress[id] = _layers[id].DeepClone();
        return new BinderEvent { Phase = BinderPhase.Pushing, Message = Message, Progress = progress };
    }

    /// <summary>Layers seen so far.</summary>
    public int LayerCount => _order.Count;
}
