namespace BinderOrleans.Bench.Harness;

/// <summary>
/// Sizes of one benchmark run; <c>--quick</c> (or <c>--smoke</c>) shrinks them for a smoke run.
/// <see cref="EngineBuildRounds"/>: rounds of the build rows (build vs <c>docker build</c>, rebuild); 0 skips them.
/// <see cref="RefRounds"/>: HEAD resolutions each way; <see cref="RefHerd"/>: concurrent requests of the herd row.
/// <see cref="ProxyRounds"/>: rounds of the proxy rows (each: two floors and one launch); <see cref="ProxyRequests"/>:
/// <c>/api/status</c> pairs of the proxy overhead row.
/// </summary>
internal sealed record BenchSettings(
    short[] FanOutSilos,
    int[] FanOutWatchers,
    int FanOutLines,
    int FanOutRounds,
    int[] HttpClients,
    int HttpLines,
    TimeSpan HttpPace,
    int HttpRounds,
    int EngineRounds,
    int EngineConcurrent,
    int EngineBuildRounds,
    int SseClients,
    int SseLines,
    int RefRounds,
    int RefHerd,
    int ProxyRounds,
    int ProxyRequests,
    TimeSpan Deadline)
{
    public static BenchSettings Full { get; } = new([1, 2], [1, 10, 100, 1000], 2000, 5, [1, 50, 200], 100, TimeSpan.FromMilliseconds(10), 3,
        20, 200, 3, 1000, 2000, 200, 1000, 20, 2000, TimeSpan.FromMinutes(45));

    public static BenchSettings Quick { get; } = new([2], [1, 10, 100], 200, 2, [1, 20], 20, TimeSpan.FromMilliseconds(10), 1,
        1, 2, 0, 50, 200, 20, 200, 1, 200, TimeSpan.FromSeconds(150));
}
