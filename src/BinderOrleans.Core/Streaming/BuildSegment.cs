using BinderOrleans.Core.Builds;

namespace BinderOrleans.Core.Streaming;

/// <summary>
/// A stretch of a launch session that is a build's log: the session's events from its index on are the build's events
/// of <paramref name="Generation"/> from <paramref name="FromIndex"/> on, up to (not including) the build's
/// <c>built</c> or <c>failed</c>, which the session sends itself. A front end reads them from its own silo's
/// <see cref="BuildFeeds"/> instead of through the session.
/// </summary>
/// <param name="Request">What the build was started with (a silo with no feed of it opens one).</param>
/// <param name="Generation">The run of the build.</param>
/// <param name="FromIndex">The build log index of the session's event at the batch's index.</param>
/// <param name="Count">
/// How many of the build's events the stretch holds from <paramref name="FromIndex"/>, once the session knows (the build
/// ended or its run was lost); null while the build runs.
/// </param>
[GenerateSerializer, Immutable, Alias("binder.build-segment")]
public sealed record BuildSegment(
    [property: Id(0)] BuildRequest Request,
    [property: Id(1)] string Generation,
    [property: Id(2)] int FromIndex,
    [property: Id(3)] int? Count);
