using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.FanOut;

namespace BinderOrleans.Bench.Harness;

/// <summary>Scenario A's rounds folded per watcher count (medians), with ratios against W = 1 of the same run.</summary>
internal static class FanOutReport
{
    public sealed record Row(int Watchers, int Lines, int MaxBuilderInvocations, int MinWatchersComplete, long Delivered,
        double NsPerEvent, double NsPerEventRatio, double BytesPerEvent, double BytesPerEventRatio, double PeakPoolThreads, double PeakPoolThreadsRatio);

    public static IReadOnlyList<Row> Fold(IReadOnlyList<IReadOnlyList<FanOutRound>> byWatchers)
    {
        var floor = byWatchers[0];
        var floorNs = Stats.Median(floor.Select(r => r.NanosecondsPerEvent));
        var floorBytes = Stats.Median(floor.Select(r => r.BytesPerEvent));
        var floorThreads = Stats.Median(floor.Select(r => (double)r.PeakPoolThreads));
        return byWatchers.Select(rounds =>
        {
            var ns = Stats.Median(rounds.Select(r => r.NanosecondsPerEvent));
            var bytes = Stats.Median(rounds.Select(r => r.BytesPerEvent));
            var threads = Stats.Median(rounds.Select(r => (double)r.PeakPoolThreads));
            return new Row(rounds[0].Watchers, rounds[0].Lines, rounds.Max(r => r.BuilderInvocations), rounds.Min(r => r.WatchersComplete),
                rounds[0].Delivered, ns, Stats.Ratio(ns, floorNs), bytes, Stats.Ratio(bytes, floorBytes), threads, Stats.Ratio(threads, floorThreads));
        }).ToArray();
    }

    public static void Print(TextWriter output, IReadOnlyList<Row> rows)
    {
        output.WriteLine("Scenario A: in-process fan-out (one BuildGrain, W watchers; medians of the measured rounds; ratios vs W=1)");
        output.WriteLine(Table.Format(
            ["W", "builder calls", "complete", "delivered/round", "ns/event", "x W=1", "bytes/event", "x W=1", "peak pool thr", "x W=1"],
            rows.Select(r => new[]
            {
                I(r.Watchers), I(r.MaxBuilderInvocations), $"{r.MinWatchersComplete}/{r.Watchers}", I(r.Delivered),
                F(r.NsPerEvent, 0), F(r.NsPerEventRatio, 2), F(r.BytesPerEvent, 0), F(r.BytesPerEventRatio, 2), F(r.PeakPoolThreads, 0), F(r.PeakPoolThreadsRatio, 2),
            })));
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new { scenario = "A-in-process-fan-out", rows }));
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
