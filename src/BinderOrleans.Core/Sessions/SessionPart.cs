namespace BinderOrleans.Core.Sessions;

/// <summary>One part of a session's record: an event of its own, or a build stretch, starting at session index <paramref name="Start"/>.</summary>
internal sealed record SessionPart(int Start, Streaming.BinderEvent? Event, BuildStretch? Build);
