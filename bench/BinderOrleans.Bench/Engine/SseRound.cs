namespace BinderOrleans.Bench.Engine;

/// <summary>One round of <see cref="SseScenario"/>: many clients on one build's stream.</summary>
/// <param name="Builds">Builds the server finished during the round (<c>binderhub_build_time_seconds_count</c> before and after).</param>
/// <param name="CompleteInOrder">Clients that got every line once, in order, and then the build-only <c>ready</c>.</param>
/// <param name="RssBaselines">Each replica's resident set before the round.</param>
/// <param name="RssPeaks">Each replica's largest resident set during the round.</param>
/// <param name="Spreads">Per line: the last client's arrival minus the first client's, in ms.</param>
/// <param name="Latencies">A line's arrival at a client minus the time the build printed it, ms (every 10th client).</param>
/// <param name="Second">The second build's one client, when the round had one.</param>
/// <param name="FirstEventMaxMs">The slowest client's time from the round's start to its first event.</param>
/// <param name="Cpu">CPU seconds used during the round by the server process, the bench (the clients) and the machine.</param>
/// <param name="BuildMs">From the first arrival of line 1 to the last arrival of the last line.</param>
internal sealed record SseRound(
    int Clients,
    int Lines,
    double Builds,
    int CompleteInOrder,
    IReadOnlyList<string> Errors,
    IReadOnlyList<long> RssBaselines,
    IReadOnlyList<long> RssPeaks,
    int RssSamples,
    IReadOnlyList<double> Spreads,
    IReadOnlyList<double> Latencies,
    double FirstEventMaxMs,
    double BuildMs,
    double DurationMs,
    SseCpu Cpu,
    string ServerGc,
    SecondRun? Second);

/// <summary>One client on a second build: its lines' latencies (arrival minus print time), ms.</summary>
internal sealed record SecondRun(int Lines, string? Error, IReadOnlyList<double> Latencies);
