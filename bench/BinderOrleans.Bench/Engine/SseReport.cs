using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Harness;

namespace BinderOrleans.Bench.Engine;

/// <summary>
/// Prints the SSE row and its <c>BENCH-RESULT {"scenario":"engine-sse",…}</c> line. The claims (one build, every client
/// every line in order) decide the exit code; the memory and spread targets are reported, met or not.
/// </summary>
internal static class SseReport
{
    private const double RssTargetMb = 50;
    private const double SpreadTargetMs = 250;

    public static bool Print(TextWriter output, SseRound round)
    {
        var growthMb = Mb(round.RssPeak - round.RssBaseline);
        var p50 = EngineReport.Percentile([.. round.Spreads], 50);
        var p99 = EngineReport.Percentile([.. round.Spreads], 99);
        var max = round.Spreads.Count == 0 ? double.NaN : round.Spreads.Max();
        var claims = round.Builds == 1 && round.CompleteInOrder == round.Clients;
        var rssMet = growthMb <= RssTargetMb;
        var spreadMet = p99 <= SpreadTargetMs;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SSE fan-out on one engine build (server in its own process, GC {round.ServerGc}; spread = last client's arrival of a line minus the first's):"));
        output.Write(Table.Format(
            ["clients", "lines", "builds", "in order", "RSS base MB", "peak MB", "growth MB", "spread p50 ms", "p99 ms", "max ms", "build s", "round s", "met"],
            [[
                I(round.Clients), I(round.Lines), round.Builds.ToString("0", CultureInfo.InvariantCulture), $"{I(round.CompleteInOrder)}/{I(round.Clients)}",
                F(Mb(round.RssBaseline), "0.0"), F(Mb(round.RssPeak), "0.0"), F(growthMb, "0.0"), F(p50, "0.0"), F(p99, "0.0"), F(max, "0.0"),
                F(round.BuildMs / 1000, "0.0"), F(round.DurationMs / 1000, "0.0"),
                $"claims {YesNo(claims)}, RSS<=50 MB {YesNo(rssMet)}, p99<=250 ms {YesNo(spreadMet)}",
            ]]));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"slowest client's first event {round.FirstEventMaxMs:0} ms after the round started; {round.RssSamples} RSS samples; CPU during the round: server {round.Cpu.ServerS:0.0} s, clients (bench) {round.Cpu.BenchS:0.0} s, whole machine {round.Cpu.MachineS:0.0} s of {round.DurationMs / 1000 * Environment.ProcessorCount:0.0} s"));
        foreach (var error in round.Errors) output.WriteLine("error: " + error);
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["scenario"] = "engine-sse",
            ["clients"] = round.Clients,
            ["lines"] = round.Lines,
            ["builds"] = round.Builds,
            ["complete_in_order"] = round.CompleteInOrder,
            ["rss_baseline_mb"] = Round(Mb(round.RssBaseline)),
            ["rss_peak_mb"] = Round(Mb(round.RssPeak)),
            ["rss_growth_mb"] = Round(growthMb),
            ["rss_met"] = rssMet,
            ["spread_p50_ms"] = Round(p50),
            ["spread_p99_ms"] = Round(p99),
            ["spread_max_ms"] = Round(max),
            ["spread_met"] = spreadMet,
            ["first_event_max_ms"] = Round(round.FirstEventMaxMs),
            ["build_ms"] = Round(round.BuildMs),
            ["duration_ms"] = Round(round.DurationMs),
            ["server_cpu_s"] = Round(round.Cpu.ServerS),
            ["bench_cpu_s"] = Round(round.Cpu.BenchS),
            ["machine_cpu_s"] = Round(round.Cpu.MachineS),
            ["server_gc"] = round.ServerGc,
            ["claims_met"] = claims,
        }));
        return claims;
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string YesNo(bool value) => value ? "yes" : "NO";

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 1);
}
