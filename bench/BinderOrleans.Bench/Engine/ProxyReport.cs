using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Harness;

namespace BinderOrleans.Bench.Engine;

/// <summary>Prints the proxy scenario's table and its <c>BENCH-RESULT</c> line; fails (false) only when a launch failed, never on a ratio.</summary>
internal static class ProxyReport
{
    public const double LaunchTarget = 1.05;
    public const double OverheadTargetMs = 1.0;

    public static bool Print(TextWriter output, ProxyLaunches launches, ProxyOverhead? overhead)
    {
        var host50 = EngineReport.Percentile(launches.HostFloor, 50);
        var network50 = EngineReport.Percentile(launches.NetworkFloor, 50);
        var ok = launches.Service.Where(l => l.Ready is not null).ToList();
        var errors = launches.Service.Count - ok.Count;
        var total = ok.Select(l => l.TotalMs).ToList();
        var ready = ok.Select(l => l.ReadyMs).ToList();
        var rows = new List<Dictionary<string, object?>>();
        var table = new List<string[]>();
        void Row(string name, IReadOnlyCollection<double> ms, int failed, double? target)
        {
            var p50 = EngineReport.Percentile(ms, 50);
            var p95 = EngineReport.Percentile(ms, 95);
            var rHost = Stats.Ratio(p50, host50);
            var rNetwork = Stats.Ratio(p50, network50);
            var met = failed == 0 && (target is null || rHost <= target);
            table.Add([name, ms.Count.ToString(CultureInfo.InvariantCulture), failed.ToString(CultureInfo.InvariantCulture), F(p50), F(p95), R(rHost), R(rNetwork),
                target is { } t ? $"p50<={t:0.00} x host" : "-", target is null ? "-" : met ? "yes" : "NO"]);
            rows.Add(new() { ["name"] = name, ["n"] = ms.Count, ["errors"] = failed, ["p50_ms"] = Round(p50), ["p95_ms"] = Round(p95),
                ["p50_x_host_floor"] = Round(rHost, 3), ["p50_x_network_floor"] = Round(rNetwork, 3), ["met"] = target is null ? null : met });
        }
        Row("floor: docker run --network host + /api/status every 10 ms", launches.HostFloor, 0, null);
        Row("floor: docker run in the service's network, nothing published, polled at its address", launches.NetworkFloor, 0, null);
        Row("for comparison: docker run --network container:<holder made beforehand in that network>", launches.JoinedFloor, 0, null);
        Row("cached launch through the proxy: request -> ready -> /api/status through it", total, errors, LaunchTarget);
        Row("  of which request -> ready", ready, errors, null);
        output.WriteLine("Proxy scenario (times in ms; ratios of p50 against each floor's p50):");
        output.Write(Table.Format(["row", "n", "errors", "p50 ms", "p95 ms", "p50 x host", "p50 x network", "target", "met"], table));
        var phases = ok.SelectMany(l => l.Phases).GroupBy(p => p.Key).Select(g => (g.Key, Stats.Median(g.Select(p => p.Value)))).OrderBy(p => p.Item2);
        output.WriteLine("phases of the launches (median ms after the request): "
            + string.Join(", ", phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Item2:0}"))));
        if (overhead is not null)
        {
            var direct = EngineReport.Percentile(overhead.DirectMs, 50);
            var proxied = EngineReport.Percentile(overhead.ProxiedMs, 50);
            var extra = proxied - direct;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"/api/status on a running server, {overhead.DirectMs.Count} pairs over loopback: direct p50 {direct:0.000} ms (p95 {EngineReport.Percentile(overhead.DirectMs, 95):0.000}), "
                + $"through the proxy p50 {proxied:0.000} ms (p95 {EngineReport.Percentile(overhead.ProxiedMs, 95):0.000}); proxy overhead p50 {extra:0.000} ms (target <= {OverheadTargetMs:0.0} ms: {(extra <= OverheadTargetMs ? "yes" : "NO")}); "
                + $"host port published: {(overhead.Published ? "YES" : "no")}"));
            rows.Add(new() { ["name"] = "proxy overhead /api/status", ["n"] = overhead.DirectMs.Count, ["direct_p50_ms"] = Round(direct, 3), ["proxied_p50_ms"] = Round(proxied, 3),
                ["overhead_p50_ms"] = Round(extra, 3), ["published"] = overhead.Published, ["met"] = extra <= OverheadTargetMs });
        }
        foreach (var failure in launches.Service.Select(l => l.Failure).OfType<string>().Distinct().Take(3)) output.WriteLine("error: " + failure.Trim());
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?> { ["scenario"] = "proxy", ["rows"] = rows }));
        return errors == 0 && overhead is not { Published: true };
    }

    private static string F(double ms) => EngineReport.F(ms);

    private static double? Round(double value, int digits = 1) => EngineReport.Round(value, digits);

    private static string R(double ratio) => double.IsNaN(ratio) ? "-" : ratio.ToString("0.00", CultureInfo.InvariantCulture);
}
