
namespace BinderOrleans.Core.Streaming;

/// <summary>One event of a build, with its place in the build's log.</summary>
/// <param name="Index">0-based position in the log of <paramref name="Generation"/>.</param>
/// <param name="Generation">Identifies one run of the build: a build restarted after its silo was lost has a new one.</param>
/// <param name="Event">The event.</param>
[GenerateSerializer, Immutable, Alias("binder.build-log-entry")]
public sealed record BuildLogEntry([property: Id(0)] int Index, [property: Id(1)] string Generation, [property: Id(2)] BinderEvent Event);
