using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// What one round trip of a session watch carries: the session's own events from <paramref name="Index"/> on, or a
/// stretch of it that is a build's log (<paramref name="Build"/>), which the front end reads from its silo's feed.
/// </summary>
/// <param name="Index">The session index of the first event (or of the stretch's first event).</param>
/// <param name="Events">Consecutive events from <paramref name="Index"/>; empty when <paramref name="Build"/> is set.</param>
/// <param name="Build">The build stretch that starts at <paramref name="Index"/>, or null.</param>
[GenerateSerializer, Immutable, Alias("binder.session-batch")]
public sealed record SessionBatch([property: Id(0)] int Index, [property: Id(1)] BinderEvent[] Events, [property: Id(2)] BuildSegment? Build = null);
