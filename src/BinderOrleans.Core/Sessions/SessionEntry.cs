using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Sessions;

/// <summary>One event of a launch session and its index there (the SSE id is <c>{session}:{index}</c>).</summary>
[GenerateSerializer, Immutable, Alias("binder.session-entry")]
public sealed record SessionEntry([property: Id(0)] int Index, [property: Id(1)] BinderEvent Event);
