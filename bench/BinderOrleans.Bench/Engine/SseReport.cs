using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Harness;

namespace BinderOrleans.Bench.Engine;

/// <summary>
/// Prints the SSE rows and their <c>BENCH-RESULT</c> lines (<c>engine-sse</c>: one server process;
/// <c>engine-sse-replicas</c>: several; <c>engine-sse-second</c>: a second build's latency while the first has its
/// clients). The claims (one build, every client every line in order) decide the exit code; the memory, spread, CPU and
/// latency targets are reported, met or not.
/// </summary>
internal static class SseReport
{
    private const double RssTargetMb = 50;
    private const double ReplicaRssTargetMb = 150;
    private const double SpreadTargetMs = 100;
    private const double CpuTargetUs = 5;
    private const double SecondTargetRatio = 2;

    public static bool Print(TextWriter output, SseRound round, SecondRun? idle = null)
    {
        var replicas = round.RssBaselines.Count;
        var growths = round.RssPeaks.Zip(round.RssBaselines, (peak, baseline) => Mb(peak - baseline)).ToList();
        var growthMb = growths.Max();
        var p50 = EngineReport.Percentile([.. round.Spreads], 50);
        var p99 = EngineReport.Percentile([.. round.Spreads], 99);
        var max = round.Spreads.Count == 0 ? double.NaN : round.Spreads.Max();
        var latency50 = EngineReport.Percentile([.. round.Latencies], 50);
        var latency99 = EngineReport.Percentile([.. round.Latencies], 99);
        var delivered = (double)round.CompleteInOrder * round.Lines;
        var cpuUs = delivered > 0 ? round.Cpu.ServerS * 1e6 / delivered : double.NaN;
        var claims = round.Builds == 1 && round.CompleteInOrder == round.Clients;
        var rssTarget = replicas > 1 ? ReplicaRssTargetMb : RssTargetMb;
        var rssMet = growthMb <= rssTarget;
        var spreadMet = p99 <= SpreadTargetMs;
        var cpuMet = cpuUs <= CpuTargetUs;
        var met = replicas > 1
            ? $"claims {YesNo(claims)}, RSS<={rssTarget:0} MB each {YesNo(rssMet)}"
            : $"claims {YesNo(claims)}, RSS<={rssTarget:0} MB {YesNo(rssMet)}, p99<={SpreadTargetMs:0} ms {YesNo(spreadMet)}, CPU<={CpuTargetUs:0} us {YesNo(cpuMet)}";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SSE fan-out on one engine build ({replicas} server process(es), GC {round.ServerGc}; spread = last client's arrival of a line minus the first's; latency = arrival minus the build's print time):"));
        output.Write(Table.Format(
            ["replicas", "clients", "lines", "builds", "in order", "RSS base MB", "growth MB", "spread p50 ms", "p99 ms", "max ms", "latency p50 ms", "p99 ms", "server CPU us/event", "build s", "round s", "met"],
            [[
                I(replicas), I(round.Clients), I(round.Lines), round.Builds.ToString("0", CultureInfo.InvariantCulture), $"{I(round.CompleteInOrder)}/{I(round.Clients)}",
                string.Join(" / ", round.RssBaselines.Select(b => F(Mb(b), "0.0"))), string.Join(" / ", growths.Select(g => F(g, "0.0"))),
                F(p50, "0.0"), F(p99, "0.0"), F(max, "0.0"), F(latency50, "0.0"), F(latency99, "0.0"), F(cpuUs, "0.00"),
                F(round.BuildMs / 1000, "0.0"), F(round.DurationMs / 1000, "0.0"), met,
            ]]));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"slowest client's first event {round.FirstEventMaxMs:0} ms after the round started; {round.RssSamples} RSS samples; CPU during the round: servers {round.Cpu.ServerS:0.0} s, clients (bench) {round.Cpu.BenchS:0.0} s, whole machine {round.Cpu.MachineS:0.0} s of {round.DurationMs / 1000 * Environment.ProcessorCount:0.0} s"));
        foreach (var error in round.Errors) output.WriteLine("error: " + error);
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["scenario"] = replicas > 1 ? "engine-sse-replicas" : "engine-sse",
            ["replicas"] = replicas,
            ["clients"] = round.Clients,
            ["lines"] = round.Lines,
            ["builds"] = round.Builds,
            ["complete_in_order"] = round.CompleteInOrder,
            ["rss_baseline_mb"] = round.RssBaselines.Select(b => Round(Mb(b))).ToList(),
            ["rss_growth_mb"] = growths.Select(Round).ToList(),
            ["rss_met"] = rssMet,
            ["spread_p50_ms"] = Round(p50),
            ["spread_p99_ms"] = Round(p99),
            ["spread_max_ms"] = Round(max),
            ["spread_met"] = spreadMet,
            ["latency_p50_ms"] = Round(latency50),
            ["latency_p99_ms"] = Round(latency99),
            ["server_cpu_us_per_event"] = Round(cpuUs, 2),
            ["cpu_met"] = cpuMet,
            ["first_event_max_ms"] = Round(round.FirstEventMaxMs),
            ["build_ms"] = Round(round.BuildMs),
            ["duration_ms"] = Round(round.DurationMs),
            ["server_cpu_s"] = Round(round.Cpu.ServerS),
            ["bench_cpu_s"] = Round(round.Cpu.BenchS),
            ["machine_cpu_s"] = Round(round.Cpu.MachineS),
            ["server_gc"] = round.ServerGc,
            ["claims_met"] = claims,
        }));
        if (round.Second is { } second && idle is not null) claims &= PrintSecond(output, round.Clients, idle, second);
        return claims;
    }

    /// <summary>The second build's one client, alone and while the first build has its clients: per-line latency.</summary>
    private static bool PrintSecond(TextWriter output, int clients, SecondRun idle, SecondRun loaded)
    {
        var idle50 = EngineReport.Percentile([.. idle.Latencies], 50);
        var idle99 = EngineReport.Percentile([.. idle.Latencies], 99);
        var loaded50 = EngineReport.Percentile([.. loaded.Latencies], 50);
        var loaded99 = EngineReport.Percentile([.. loaded.Latencies], 99);
        var ratio = loaded50 / idle50;
        var claims = idle.Error is null && loaded.Error is null;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"A second build with one client: per-line latency (arrival minus print time) alone, and while {clients} clients watch the first build:"));
        output.Write(Table.Format(
            ["lines", "idle p50 ms", "idle p99 ms", "loaded p50 ms", "loaded p99 ms", "x idle (p50)", "met"],
            [[
                I(loaded.Lines), F(idle50, "0.0"), F(idle99, "0.0"), F(loaded50, "0.0"), F(loaded99, "0.0"), F(ratio, "0.00"),
                $"claims {YesNo(claims)}, <= {SecondTargetRatio:0}x idle {YesNo(ratio <= SecondTargetRatio)}",
            ]]));
        foreach (var error in new[] { idle.Error, loaded.Error }.OfType<string>()) output.WriteLine("error (second build): " + error);
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["scenario"] = "engine-sse-second",
            ["first_build_clients"] = clients,
            ["lines"] = loaded.Lines,
            ["idle_latency_p50_ms"] = Round(idle50),
            ["idle_latency_p99_ms"] = Round(idle99),
            ["loaded_latency_p50_ms"] = Round(loaded50),
            ["loaded_latency_p99_ms"] = Round(loaded99),
            ["ratio_p50"] = Round(ratio, 2),
            ["met"] = ratio <= SecondTargetRatio,
            ["claims_met"] = claims,
        }));
        return claims;
    }

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string YesNo(bool value) => value ? "yes" : "NO";

    private static double? Round(double value, int digits = 1) => double.IsNaN(value) ? null : Math.Round(value, digits);
}
