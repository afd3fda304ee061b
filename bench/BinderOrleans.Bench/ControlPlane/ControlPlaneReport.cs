using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Engine;
using BinderOrleans.Bench.Harness;

namespace BinderOrleans.Bench.ControlPlane;

/// <summary>
/// Prints the control-plane row and its <c>BENCH-RESULT {"scenario":"control-plane",…}</c> line. The claim (every
/// session ready) decides the exit code; the targets (≥ 1,000 sessions/s, p99 request → ready ≤ 50 ms) are reported.
/// </summary>
internal static class ControlPlaneReport
{
    private const double RateTarget = 1000;
    private const double P99TargetMs = 50;

    public static bool Print(TextWriter output, IReadOnlyList<ControlPlaneRound> rounds)
    {
        output.WriteLine("Control plane: new sessions on 2 replica processes (Redis membership), instant builder and launcher, each session its own ref:");
        var rows = new List<string[]>();
        var results = new List<Dictionary<string, object?>>();
        var claims = true;
        foreach (var r in rounds)
        {
            var p50 = EngineReport.Percentile(r.ReadyMs, 50);
            var p99 = EngineReport.Percentile(r.ReadyMs, 99);
            var first50 = EngineReport.Percentile(r.FirstEventMs, 50);
            var perSession = r.ReplicaCpuS.Sum() / Math.Max(1, r.Ready) * 1e6;
            var met = r.AchievedPerSecond >= RateTarget && p99 <= P99TargetMs;
            claims &= r.Ready == r.Sessions;
            rows.Add([
                I(r.Rate), I(r.Sessions), $"{I(r.Ready)}/{I(r.Sessions)}", F(r.AchievedPerSecond, "0"), F(first50, "0.0"), F(p50, "0.0"), F(p99, "0.0"),
                F(perSession, "0"), string.Join(" + ", r.ReplicaCpuS.Select(c => F(c, "0.0"))), F(r.BenchCpuS, "0.0"), F(r.MachineCpuS, "0.0"),
                F(r.WallMs / 1000 * Environment.ProcessorCount, "0.0"), met ? "yes" : "NO",
            ]);
            results.Add(new Dictionary<string, object?>
            {
                ["offered_per_s"] = r.Rate,
                ["sessions"] = r.Sessions,
                ["ready"] = r.Ready,
                ["achieved_per_s"] = Round(r.AchievedPerSecond),
                ["first_event_p50_ms"] = Round(first50),
                ["ready_p50_ms"] = Round(p50),
                ["ready_p99_ms"] = Round(p99),
                ["replica_cpu_us_per_session"] = Round(perSession),
                ["replica_cpu_s"] = r.ReplicaCpuS.Select(Round).ToArray(),
                ["bench_cpu_s"] = Round(r.BenchCpuS),
                ["machine_cpu_s"] = Round(r.MachineCpuS),
                ["met"] = met,
            });
            foreach (var e in r.Errors) output.WriteLine("error: " + e);
        }
        output.Write(Table.Format(
            ["offered/s", "sessions", "ready", "ready/s", "first event p50 ms", "ready p50 ms", "p99 ms", "replica CPU µs/session", "replica CPU s", "clients CPU s",
                "machine CPU s", "of s", ">=1000/s, p99<=50 ms"],
            rows));
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?> { ["scenario"] = "control-plane", ["rows"] = results }));
        return claims;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 2);
}
