namespace BinderOrleans.Bench.Engine;

/// <summary>One round of <see cref="SseScenario"/>: many clients on one build's stream.</summary>
/// <param name="Builds">Builds the server finished during the round (<c>binderhub_build_time_seconds_count</c> before and after).</param>
/// <param name="CompleteInOrder">Clients that got every line once, in order, and then the build-only <c>ready</c>.</param>
/// <param name="Spreads">Per line: the last client's arrival minus the first client's, in ms.</param>
/// <param name="FirstEventMaxMs">The slowest client's time from the round's start to its first event.</param>
/// <param name="Cpu">CPU seconds used during the round by the server process, the bench (the clients) and the machine.</param>
/// <param name="BuildMs">From the first arrival of line 1 to the last arrival of the last line.</param>
internal sealed record SseRound(
    int Clients,
    int Lines,
    double Builds,
    int CompleteInOrder,
    IReadOnlyList<string> Errors,
    long RssBaseline,
    long RssPeak,
    int RssSamples,
    IReadOnlyList<double> Spreads,
    double FirstEventMaxMs,
    double BuildMs,
    double DurationMs,
    SseCpu Cpu,
    string ServerGc);
