namespace BinderOrleans.Core.Builds;

/// <param name="Started">A build (or lookup) has started in this activation.</param>
/// <param name="Completed">It has ended.</param>
/// <param name="EventCount">Events in its log.</param>
/// <param name="Generation">This activation's run id.</param>
/// <param name="Outcome">Set once completed.</param>
/// <param name="HoldsSlot">It runs in a slot of the build queue (a queue that starts over waits for it to renew).</param>
[GenerateSerializer, Immutable, Alias("binder.build-status")]
public sealed record BuildStatus(
    [property: Id(0)] bool Started,
    [property: Id(1)] bool Completed,
    [property: Id(2)] int EventCount,
    [property: Id(3)] string Generation,
    [property: Id(4)] BuildOutcome? Outcome,
    [property: Id(5)] bool HoldsSlot = false);

/// <param name="ImageReady">The image exists now.</param>
/// <param name="Built">A build ran (false when the image was found).</param>
/// <param name="Duration">Time from activation to the end.</param>
/// <param name="Lingers">The failure is the repository's own, so it is replayed to the next attachers for a while.</param>
[GenerateSerializer, Immutable, Alias("binder.build-outcome")]
public sealed record BuildOutcome(
    [property: Id(0)] bool ImageReady,
    [property: Id(1)] bool Built,
    [property: Id(2)] TimeSpan Duration,
    [property: Id(3)] bool Lingers = false);
