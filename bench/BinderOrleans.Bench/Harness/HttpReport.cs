using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Http;

namespace BinderOrleans.Bench.Harness;

/// <summary>Scenario B's rounds folded per client count (medians), with ratios against W = 1 of the same run.</summary>
internal static class HttpReport
{
    public sealed record Row(int Clients, int MaxBuildsStarted, int MinReadyClients, double MedianTimeToReadyMs, double TimeToReadyRatio,
        double PeakProcessThreads, double ProcessThreadsRatio, double PeakPoolThreads, double EventsPerSecond);

    public static IReadOnlyList<Row> Fold(IReadOnlyList<IReadOnlyList<HttpRound>> byClients)
    {
        var floor = byClients[0];
        var floorReady = Stats.Median(floor.Select(r => r.MedianTimeToReady.TotalMilliseconds));
        var floorThreads = Stats.Median(floor.Select(r => (double)r.PeakProcessThreads));
        return byClients.Select(rounds =>
        {
            var ready = Stats.Median(rounds.Select(r => r.MedianTimeToReady.TotalMilliseconds));
            var threads = Stats.Median(rounds.Select(r => (double)r.PeakProcessThreads));
            return new Row(rounds[0].Clients, rounds.Max(r => r.BuildsStarted), rounds.Min(r => r.ReadyClients), ready, Stats.Ratio(ready, floorReady),
                threads, Stats.Ratio(threads, floorThreads), Stats.Median(rounds.Select(r => (double)r.PeakPoolThreads)),
                Stats.Median(rounds.Select(r => r.EventsPerSecond)));
        }).ToArray();
    }

    public static void Print(TextWriter output, IReadOnlyList<Row> rows, int lines, TimeSpan pace)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Scenario B: /build over HTTP on 127.0.0.1 (builder: {lines} lines, one per {pace.TotalMilliseconds} ms; medians of the measured rounds; ratios vs W=1)"));
        output.WriteLine(Table.Format(
            ["W", "builds", "ready", "median ttr ms", "x W=1", "peak proc thr", "x W=1", "peak pool thr", "events/s"],
            rows.Select(r => new[]
            {
                I(r.Clients), I(r.MaxBuildsStarted), $"{r.MinReadyClients}/{r.Clients}", F(r.MedianTimeToReadyMs, 0), F(r.TimeToReadyRatio, 2),
                F(r.PeakProcessThreads, 0), F(r.ProcessThreadsRatio, 2), F(r.PeakPoolThreads, 0), F(r.EventsPerSecond, 0),
            })));
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new { scenario = "B-http-sse-fan-out", lines, paceMs = pace.TotalMilliseconds, rows }));
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
