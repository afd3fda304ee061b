using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Engine;
using BinderOrleans.Bench.Harness;

namespace BinderOrleans.Bench.Hub;

/// <summary>
/// Prints the hub path row and its <c>BENCH-RESULT {"scenario":"hub-path",…}</c> line: medians over the rounds, the
/// service's cost over the direct client net of the hub's spawn (median of the per-round differences), and where the
/// service's time went. The targets (≤ direct + 3 ms, ≤ 5 ms to <c>launching</c>) are reported, met or not.
/// </summary>
internal static class HubPathReport
{
    private const double OverTargetMs = 3;
    private const double LaunchingTargetMs = 5;

    public static void Print(TextWriter output, HubPathResult result)
    {
        var direct = result.Direct;
        var service = result.Service;
        var over = Stats.Median(service.Zip(direct, (s, d) => s.NetMs - d.NetMs));
        var launching = Stats.Median(service.Select(s => s.FirstLaunchingMs));
        var launchingP90 = EngineReport.Percentile([.. service.Select(s => s.FirstLaunchingMs)], 90);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Hub path: launches against a real JupyterHub 3.0, {service.Count} interleaved rounds, medians in ms (net = time to ready minus the spawn the hub logged):"));
        output.Write(Table.Format(
            ["path", "to ready", "hub spawn", "net", "to launching", "over direct (net)", "met"],
            [
                ["direct hub client", F(Stats.Median(direct.Select(d => d.TotalMs))), F(Stats.Median(direct.Select(d => d.SpawnMs))), F(Stats.Median(direct.Select(d => d.NetMs))), "", "", ""],
                ["through the service", F(Stats.Median(service.Select(s => s.TotalMs))), F(Stats.Median(service.Select(s => s.SpawnMs))), F(Stats.Median(service.Select(s => s.NetMs))),
                    F(launching), over >= 0 ? "+" + F(over) : F(over), $"over<=3 ms {YesNo(over <= OverTargetMs)}, launching<=5 ms {YesNo(launching <= LaunchingTargetMs)}"],
            ]));
        var stages = new (string Name, Func<HubServiceRun, double?> Ms)[]
        {
            ("request → first middleware (client, loopback HTTP, Kestrel)", s => s.ArrivedMs),
            ("first middleware → provider asked (routing, admission, session grain placed, activated, watched)", s => s.ResolveMs - s.ArrivedMs),
            ("provider → registry asked (resolve, build grain)", s => s.LookupMs - s.ResolveMs),
            ("registry → launcher called (found, use record, quota, launch grain)", s => s.LaunchMs - s.LookupMs),
            ("launcher called → launcher ready, net of spawn (hub calls)", s => s.LauncherReadyMs - s.LaunchMs - s.SpawnMs),
            ("launcher ready → client has ready (session log, watch, SSE)", s => s.TotalMs - s.LauncherReadyMs),
            ("request → client has launching", s => s.FirstLaunchingMs),
        };
        output.Write(Table.Format(["where the service's time goes", "median ms", "p90 ms"],
            stages.Select(st =>
            {
                var values = service.Select(st.Ms).OfType<double>().ToArray();
                return new[] { st.Name, F(Stats.Median(values)), F(EngineReport.Percentile(values, 90)) };
            })));
        // The hub's answers vary by more than the target between two launches; the service's time outside its hub calls does not.
        var own = Stats.Median(service.Select(s => s.LaunchMs is { } l && s.LauncherReadyMs is { } r ? s.TotalMs - (r - l) : double.NaN).Where(v => !double.IsNaN(v)));
        var launcherNet = Stats.Median(service.Select(s => s.LauncherReadyMs - s.LaunchMs - s.SpawnMs).OfType<double>());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"request → launching p90 {launchingP90:0.00} ms; the service's own time (to ready, outside its launcher's hub calls) {own:0.00} ms; its launcher's hub calls net of spawn {launcherNet:0.00} ms against the direct client's {Stats.Median(direct.Select(d => d.NetMs)):0.00} ms"));
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["scenario"] = "hub-path",
            ["rounds"] = service.Count,
            ["direct_ready_ms"] = Round(Stats.Median(direct.Select(d => d.TotalMs))),
            ["direct_net_ms"] = Round(Stats.Median(direct.Select(d => d.NetMs))),
            ["service_ready_ms"] = Round(Stats.Median(service.Select(s => s.TotalMs))),
            ["service_net_ms"] = Round(Stats.Median(service.Select(s => s.NetMs))),
            ["over_direct_net_ms"] = Round(over),
            ["over_met"] = over <= OverTargetMs,
            ["service_own_ms"] = Round(own),
            ["launcher_hub_net_ms"] = Round(launcherNet),
            ["to_launching_ms"] = Round(launching),
            ["launching_met"] = launching <= LaunchingTargetMs,
            ["stages_ms"] = stages.ToDictionary(st => st.Name, st => Round(Stats.Median(service.Select(st.Ms).OfType<double>()))),
        }));
    }

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string YesNo(bool met) => met ? "yes" : "NO";

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 2);
}
