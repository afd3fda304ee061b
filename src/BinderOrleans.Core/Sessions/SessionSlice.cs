using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Sessions;

/// <summary>Consecutive events of a session from <paramref name="Index"/> on (the SSE ids are <c>{session}:{Index + i}</c>).</summary>
/// <param name="Events">Shared with every other reader: never changed.</param>
public readonly record struct SessionSlice(int Index, ReadOnlyMemory<BinderEvent> Events)
{
    /// <summary>The slice ends the session (its last event is <c>ready</c> or <c>failed</c>).</summary>
    public bool IsEnd => Events.Length > 0 && Events.Span[^1].IsTerminal;
}
