namespace BinderOrleans.Core.Sessions;

/// <param name="Started">This activation runs (or ran) a session; false for a session id nobody started here.</param>
/// <param name="Completed">The session has ended.</param>
/// <param name="NextIndex">The index its next event would get.</param>
[GenerateSerializer, Immutable, Alias("binder.session-state")]
public sealed record SessionState([property: Id(0)] bool Started, [property: Id(1)] bool Completed, [property: Id(2)] int NextIndex);
