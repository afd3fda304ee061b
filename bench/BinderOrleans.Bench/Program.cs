using System.Globalization;
using BinderOrleans.Bench.Engine;
using BinderOrleans.Bench.FanOut;
using BinderOrleans.Bench.Harness;
using BinderOrleans.Bench.Http;
using BinderOrleans.Bench.Refs;

// Usage: dotnet run -c Release --project bench/BinderOrleans.Bench [-- [a|b|refs|engine|proxy|sse|all] [--quick|--smoke] [--silos=N]
//   [--launch-rounds=N] [--concurrent=N] [--build-rounds=N] [--proxy-rounds=N] [--proxy-requests=N] [--sse-clients=N] [--sse-lines=N]
//   [--server-gc=0|1] [--server-env=NAME=value]]
var which = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var settings = args.Contains("--quick") || args.Contains("--smoke") ? BenchSettings.Quick : BenchSettings.Full;
int? Arg(string name) => args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal)) is { } a
    ? int.Parse(a[(name.Length + 1)..], CultureInfo.InvariantCulture) : null;
// --silos=N: scenario A on N silos only (the full run does 1 and 2). The other sizes are the engine scenarios'
// (e.g. --launch-rounds=0 --concurrent=0 to run only the build rows).
settings = settings with
{
    FanOutSilos = Arg("--silos") is { } onlySilos ? [(short)onlySilos] : settings.FanOutSilos,
    SseClients = Arg("--sse-clients") ?? settings.SseClients,
    SseLines = Arg("--sse-lines") ?? settings.SseLines,
    EngineRounds = Arg("--launch-rounds") ?? settings.EngineRounds,
    EngineConcurrent = Arg("--concurrent") ?? settings.EngineConcurrent,
    EngineBuildRounds = Arg("--build-rounds") ?? settings.EngineBuildRounds,
    ProxyRounds = Arg("--proxy-rounds") ?? settings.ProxyRounds,
    ProxyRequests = Arg("--proxy-requests") ?? settings.ProxyRequests,
};
// The SSE row's server process: --server-gc=0|1 sets DOTNET_gcServer (its runtimeconfig otherwise); --server-env=NAME=value
// (repeatable) sets any variable, e.g. --server-env=DOTNET_GCgen0size=0x1000000.
var serverEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
if (args.FirstOrDefault(a => a.StartsWith("--server-gc=", StringComparison.Ordinal)) is { } gcArg) serverEnvironment["DOTNET_gcServer"] = gcArg[^1..];
foreach (var pair in args.Where(a => a.StartsWith("--server-env=", StringComparison.Ordinal)).Select(a => a["--server-env=".Length..].Split('=', 2)))
{
    serverEnvironment[pair[0]] = pair.Length > 1 ? pair[1] : "";
}
var output = Console.Out;

using var deadline = new CancellationTokenSource(settings.Deadline);
// Cancellation ends every await in the run; should something ignore it, the process still ends shortly after.
_ = Task.Delay(settings.Deadline + TimeSpan.FromSeconds(20), CancellationToken.None).ContinueWith(_ =>
{
    Console.Error.WriteLine("bench: hard timeout, exiting");
    Environment.Exit(3);
}, TaskScheduler.Default);

output.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"BinderOrleans benchmarks ({which}): {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}, deadline {settings.Deadline}"));
var claimsHold = true;
try
{
    if (which is "a" or "all")
    {
        foreach (var silos in settings.FanOutSilos)
        {
            await using var scenario = await FanOutScenario.StartAsync(silos, settings.FanOutLines).WaitAsync(deadline.Token);
            // Warm-up: JIT and pool start-up, not measured.
            await scenario.RunAsync(10, Math.Min(200, settings.FanOutLines), deadline.Token);
            var byWatchers = new List<IReadOnlyList<FanOutRound>>();
            foreach (var w in settings.FanOutWatchers)
            {
                var rounds = new List<FanOutRound>();
                for (var r = 0; r < settings.FanOutRounds; r++)
                {
                    rounds.Add(await scenario.RunAsync(w, settings.FanOutLines, deadline.Token));
                }
                byWatchers.Add(rounds);
            }
            var rows = FanOutReport.Fold(byWatchers);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Scenario A on {silos} silo(s):"));
            FanOutReport.Print(output, rows);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Watches aborted by Orleans and resumed from their index: {scenario.Resumes}"));
            claimsHold &= rows.All(r => r.MaxBuilderInvocations == 1 && r.MinWatchersComplete == r.Watchers);
        }
    }

    if (which is "b" or "all")
    {
        await using var http = await HttpFanOutScenario.StartAsync(settings.HttpLines, settings.HttpPace).WaitAsync(deadline.Token);
        await http.RunAsync(1, deadline.Token);
        await http.RunAsync(settings.HttpClients[^1], deadline.Token);
        var byClients = new List<IReadOnlyList<HttpRound>>();
        foreach (var w in settings.HttpClients)
        {
            var rounds = new List<HttpRound>();
            for (var r = 0; r < settings.HttpRounds; r++)
            {
                rounds.Add(await http.RunAsync(w, deadline.Token));
            }
            byClients.Add(rounds);
        }
        var rows = HttpReport.Fold(byClients);
        HttpReport.Print(output, rows, settings.HttpLines, settings.HttpPace);
        claimsHold &= rows.All(r => r.MaxBuildsStarted == 1 && r.MinReadyClients == r.Clients);
    }

    if (which is "refs" or "all")
    {
        using var refs = new RefsScenario();
        var head = await refs.HeadAsync(settings.RefRounds, deadline.Token);
        var herd = await refs.HerdAsync(settings.RefHerd, deadline.Token);
        claimsHold &= RefsScenario.Print(output, head, herd, settings.RefHerd);
    }

    if (which is "engine" or "proxy" or "all")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string what) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: engine {what} at {clock.Elapsed.TotalSeconds:0.0} s"));
        await using var engine = await EngineScenario.StartAsync(deadline.Token).WaitAsync(deadline.Token);
        Step("server started");
        var image = await engine.WarmUpAsync(deadline.Token);
        Step("image built and launched once");
        if (which is not "proxy")
        {
            var launch = await engine.LaunchRoundsAsync(image, settings.EngineRounds, deadline.Token);
            Step("launch rounds done");
            List<ServiceRun>? concurrent = null;
            if (settings.EngineConcurrent > 0)
            {
                concurrent = await engine.ConcurrentAsync(settings.EngineConcurrent, deadline.Token);
                Step("concurrent launches done");
            }
            BuildResult? builds = null;
            if (settings.EngineBuildRounds > 0)
            {
                var (floor, service) = await engine.BuildRoundsAsync(settings.EngineBuildRounds, deadline.Token);
                Step("build rounds done");
                var rebuilds = new List<(double Cold, double Rebuild)>();
                for (var r = 0; r < settings.EngineBuildRounds; r++) rebuilds.Add(await engine.RebuildAsync(deadline.Token));
                Step("rebuilds done");
                builds = new BuildResult(floor, service, rebuilds);
            }
            claimsHold &= EngineReport.Print(output, launch, concurrent, builds);
        }
        // On the same server and image: launches through the proxy against two floors, and the proxy's cost per request.
        if (settings.ProxyRounds > 0)
        {
            using var proxy = new ProxyScenario(engine, image);
            var launches = await proxy.LaunchRoundsAsync(settings.ProxyRounds, deadline.Token);
            var overhead = launches.Kept is { } kept ? await proxy.OverheadAsync(kept, settings.ProxyRequests, deadline.Token) : null;
            Step("proxy rows done");
            claimsHold &= ProxyReport.Print(output, launches, overhead);
        }
    }

    if (which is "sse" or "engine" or "all")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string what) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: sse {what} at {clock.Elapsed.TotalSeconds:0.0} s"));
        await using var sse = await SseScenario.StartAsync(serverEnvironment, deadline.Token);
        Step("server process started");
        var warm = await sse.WarmUpAsync(deadline.Token);
        Step(string.Create(CultureInfo.InvariantCulture, $"warm-up done ({warm.CompleteInOrder}/{warm.Clients} clients complete)"));
        var round = await sse.RunAsync(settings.SseClients, settings.SseLines, deadline.Token);
        Step("round done");
        claimsHold &= SseReport.Print(output, round);
    }
}
catch (OperationCanceledException) when (deadline.IsCancellationRequested)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: did not finish within {settings.Deadline}"));
    return 2;
}

if (!claimsHold) Console.Error.WriteLine("bench: a claim failed (more than one build, or a watcher missed events)");
return claimsHold ? 0 : 1;
