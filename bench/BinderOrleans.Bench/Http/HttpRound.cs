namespace BinderOrleans.Bench.Http;

/// <summary>One run of scenario B: <see cref="Clients"/> concurrent <c>/build</c> streams for one spec.</summary>
/// <param name="Clients">SSE clients started together.</param>
/// <param name="BuildsStarted">Builder calls for the spec (the claim: 1).</param>
/// <param name="ReadyClients">Clients whose stream ended with <c>ready</c>.</param>
/// <param name="MedianTimeToReady">Median, over clients, of the time from the round's start to the client's <c>ready</c> event.</param>
/// <param name="Messages">SSE messages received by all clients together.</param>
/// <param name="Wall">From the round's start until the last client's stream closed.</param>
/// <param name="PeakProcessThreads">Largest OS thread count of the process (server and clients) during the round.</param>
/// <param name="PeakPoolThreads">Largest thread-pool size during the round.</param>
internal sealed record HttpRound(int Clients, int BuildsStarted, int ReadyClients, TimeSpan MedianTimeToReady, long Messages, TimeSpan Wall,
    int PeakProcessThreads, int PeakPoolThreads)
{
    public double EventsPerSecond => Messages / Wall.TotalSeconds;
}
