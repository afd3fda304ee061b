namespace BinderOrleans.Bench.FanOut;

/// <summary>One run of scenario A: one build grain, <see cref="Watchers"/> watchers of it.</summary>
/// <param name="Watchers">Watchers attached before the builder printed its first line.</param>
/// <param name="Lines">Log lines the builder printed.</param>
/// <param name="BuilderInvocations">Times the builder was called (the claim: 1 whatever the watcher count).</param>
/// <param name="Delivered">Events received by all watchers together.</param>
/// <param name="WatchersComplete">Watchers that received every event, in the builder's order, ending with <c>built</c>.</param>
/// <param name="Elapsed">From opening the builder's gate until the last watcher finished.</param>
/// <param name="AllocatedBytes">Bytes allocated by the whole process in that interval.</param>
/// <param name="PeakPoolThreads">Largest thread-pool size seen in that interval.</param>
internal sealed record FanOutRound(int Watchers, int Lines, int BuilderInvocations, long Delivered, int WatchersComplete,
    TimeSpan Elapsed, long AllocatedBytes, int PeakPoolThreads)
{
    public double NanosecondsPerEvent => Elapsed.TotalNanoseconds / Delivered;

    public double BytesPerEvent => (double)AllocatedBytes / Delivered;
}
