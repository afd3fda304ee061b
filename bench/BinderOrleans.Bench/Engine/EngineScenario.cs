using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BinderOrleans.Bench.Harness;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Bench.Engine;

/// <summary>
/// What a user waits for, against what the machine cannot beat, on the real engine: a cached launch through
/// <c>/build</c> (request → <c>ready</c>) against <c>docker run</c> of the same image and server command polled every
/// 10 ms; the same with ref <c>HEAD</c> (resolved over git on loopback); many cached launches at once; and a rebuild
/// after a notebook edit against the cold build. Rounds are interleaved so machine noise hits floor and service alike.
/// </summary>
internal sealed class EngineScenario : IAsyncDisposable
{
    private const string BaseImage = "binderorleans-base:bookworm";

    private readonly DockerSandbox _sandbox;
    private readonly GitRepo _repo;
    private readonly GitDaemon _git;
    private readonly RunningServer _server;
    private readonly HttpClient _client;
    private readonly HttpClient _probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
    private readonly List<GitRepo> _more = [];

    private EngineScenario(DockerSandbox sandbox, GitRepo repo, GitDaemon git, RunningServer server)
    {
        _sandbox = sandbox;
        _repo = repo;
        _git = git;
        _server = server;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseProxy = false };
        _client = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task<EngineScenario> StartAsync(CancellationToken cancellationToken)
    {
        var sandbox = new DockerSandbox();
        var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"""
                FROM {BaseImage}
                RUN echo "{Guid.NewGuid():N}" > /tmp/unique
                USER jovyan
                WORKDIR /home/jovyan
                """,
        });
        var git = await GitDaemon.StartAsync(repo, cancellationToken).ConfigureAwait(false);
        var settings = sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "git";
        settings["Providers:Git:AllowedSchemes:1"] = "file";
        // The loopback git daemon is an allowed target of the outbound guard.
        settings["Security:AllowedTargetNetworks:0"] = "127.0.0.1/32";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Binder:PerRepoQuota"] = "0";
        // The HEAD row measures the lookup itself, not the reuse of a ref resolved in the last few seconds.
        settings["Providers:RefCacheSeconds"] = "0";
        var server = await RunningServer.StartAsync(settings).ConfigureAwait(false);
        return new EngineScenario(sandbox, repo, git, server);
    }

    internal DockerSandbox Sandbox => _sandbox;

    internal RunningServer Server => _server;

    /// <summary>The launch path of the scenario's repository at its commit (a cached launch once warmed up).</summary>
    internal string CachedLaunchPath => LaunchPath(_repo.Head);

    private string LaunchPath(string reference) => $"build/git/{Uri.EscapeDataString(_git.UrlOf(_repo))}/{reference}";

    /// <summary>Builds the image once (not measured) and returns its name.</summary>
    public async Task<string> WarmUpAsync(CancellationToken cancellationToken)
    {
        var run = await RequestAsync(LaunchPath(_repo.Head), cancellationToken).ConfigureAwait(false);
        if (run.Ready is null) throw new InvalidOperationException("warm-up launch failed: " + run.Failure);
        await RemoveServerAsync(run.Ready, cancellationToken).ConfigureAwait(false);
        return run.Ready.Image!;
    }

    /// <summary>One request through <c>/build</c>, timed from sending it to each phase's first event.</summary>
    internal async Task<ServiceRun> RequestAsync(string path, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            using var response = await SseClient.OpenAsync(_client, path, cancellationToken: cancellationToken).ConfigureAwait(false);
            await foreach (var m in SseClient.ReadAsync(response, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                phases.TryAdd(m.Event.Phase, clock.Elapsed.TotalMilliseconds);
                // Where a build's time goes: the engine's first step, and its last output line.
                if (m.Event.Phase == BinderPhase.Building)
                {
                    if (m.Event.Message?.StartsWith("Step 1/", StringComparison.Ordinal) == true) phases.TryAdd("engine step 1", clock.Elapsed.TotalMilliseconds);
                    phases["last engine line"] = clock.Elapsed.TotalMilliseconds;
                }
                // Where a launch's time goes: the launcher says when its container is created and started.
                if (m.Event.Phase == BinderPhase.Launching && m.Event.Message?.StartsWith("Server container ", StringComparison.Ordinal) == true)
                {
                    phases.TryAdd("container started", clock.Elapsed.TotalMilliseconds);
                }
                if (m.Event.Phase == BinderPhase.Ready) return new ServiceRun(clock.Elapsed.TotalMilliseconds, phases, m.Event, null);
                if (m.Event.Phase == BinderPhase.Failed) return new ServiceRun(clock.Elapsed.TotalMilliseconds, phases, null, m.Event.Message);
            }
            return new ServiceRun(clock.Elapsed.TotalMilliseconds, phases, null, "stream ended without ready");
        }
        catch (HttpRequestException ex)
        {
            return new ServiceRun(clock.Elapsed.TotalMilliseconds, phases, null, ex.Message);
        }
    }

    /// <summary>The floor: <c>docker run</c> of the image with the launcher's server command, then <c>/api/status</c> every 10 ms.</summary>
    private async Task<double> FloorAsync(string image, CancellationToken cancellationToken)
    {
        var token = FloorServer.NewToken();
        var port = FreePorts.Next();
        var clock = Stopwatch.StartNew();
        // The network the launcher puts its servers in (this engine has no default bridge), published the same way.
        var (code, output) = await Cli.RunAsync("docker",
            ["run", "-d", "--label", _sandbox.Label, "--network", _sandbox.Network, "-p", $"127.0.0.1:{port}:8888", .. FloorServer.Command(image, token, "0.0.0.0", 8888)],
            cancellationToken).ConfigureAwait(false);
        if (code != 0) throw new InvalidOperationException("docker run failed: " + output);
        try
        {
            return await FloorServer.PollAsync(_probe, new Uri($"http://127.0.0.1:{port}/api/status?token={token}"), clock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await Cli.RunAsync("docker", ["rm", "-f", output.Trim()], CancellationToken.None).ConfigureAwait(false);
        }
    }

    internal async Task RemoveServerAsync(BinderEvent ready, CancellationToken cancellationToken)
    {
        // Behind the proxy a server is known by its path (user/<server>/), else by its published port.
        var url = new Uri(ready.Url!);
        var label = url.AbsolutePath.Contains("/user/", StringComparison.Ordinal)
            ? $"binderorleans.path={url.AbsolutePath}"
            : $"binderorleans.port={url.Port.ToString(CultureInfo.InvariantCulture)}";
        var (_, ids) = await Cli.RunAsync("docker", ["ps", "-aq", "--filter", $"label={_sandbox.Label}", "--filter", $"label={label}"],
            cancellationToken).ConfigureAwait(false);
        var list = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length > 0) await Cli.RunAsync("docker", ["rm", "-f", .. list], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a built image and the untagged layers under it, so the next build starts from the base image again.</summary>
    private static Task RemoveImageAsync(string image, CancellationToken cancellationToken) => Cli.RunAsync("docker", ["rmi", "-f", image], cancellationToken);

    private async Task RemoveAllServersAsync(CancellationToken cancellationToken)
    {
        var (_, ids) = await Cli.RunAsync("docker", ["ps", "-aq", "--filter", $"label={_sandbox.Label}", "--filter", "label=binderorleans.launch"],
            cancellationToken).ConfigureAwait(false);
        var list = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length > 0) await Cli.RunAsync("docker", ["rm", "-f", .. list], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cached launches (by commit and by <c>HEAD</c>) and the floor, interleaved, the order rotating each round.</summary>
    public async Task<LaunchResult> LaunchRoundsAsync(string image, int rounds, CancellationToken cancellationToken)
    {
        var floor = new List<double>();
        var byCommit = new List<ServiceRun>();
        var byHead = new List<ServiceRun>();
        for (var r = 0; r < rounds; r++)
        {
            for (var k = 0; k < 3; k++)
            {
                switch ((r + k) % 3)
                {
                    case 0:
                        floor.Add(await FloorAsync(image, cancellationToken).ConfigureAwait(false));
                        break;
                    case 1:
                        byCommit.Add(await MeasuredLaunchAsync(LaunchPath(_repo.Head), cancellationToken).ConfigureAwait(false));
                        break;
                    default:
                        byHead.Add(await MeasuredLaunchAsync(LaunchPath("HEAD"), cancellationToken).ConfigureAwait(false));
                        break;
                }
            }
        }
        return new LaunchResult(floor, byCommit, byHead);
    }

    private async Task<ServiceRun> MeasuredLaunchAsync(string path, CancellationToken cancellationToken)
    {
        var run = await RequestAsync(path, cancellationToken).ConfigureAwait(false);
        if (run.Ready is not null) await RemoveServerAsync(run.Ready, cancellationToken).ConfigureAwait(false);
        return run;
    }

    /// <summary><paramref name="count"/> cached launches at the same moment.</summary>
    public async Task<List<ServiceRun>> ConcurrentAsync(int count, CancellationToken cancellationToken)
    {
        var runs = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => RequestAsync(LaunchPath(_repo.Head), cancellationToken), cancellationToken)))
            .ConfigureAwait(false);
        await RemoveAllServersAsync(cancellationToken).ConfigureAwait(false);
        return [.. runs];
    }

    /// <summary>
    /// A repository with apt.txt, requirements.txt and postBuild built cold (its apt layer is new: a unique comment),
    /// then rebuilt after one notebook changed. Times are request → <c>built</c>.
    /// </summary>
    public async Task<(double Cold, double Rebuild)> RebuildAsync(CancellationToken cancellationToken)
    {
        var repo = BuildRepo();
        var path = $"build/git/{Uri.EscapeDataString(repo.Url)}/";
        var cold = await RequestAsync(path + repo.Head, cancellationToken).ConfigureAwait(false);
        if (cold.Ready is null) throw new InvalidOperationException("cold build failed: " + cold.Failure);
        await RemoveServerAsync(cold.Ready, cancellationToken).ConfigureAwait(false);
        var edited = repo.Commit(new Dictionary<string, string> { ["index.ipynb"] = Notebook.Replace("# Hello", "# Edited", StringComparison.Ordinal) });
        var again = await RequestAsync(path + edited, cancellationToken).ConfigureAwait(false);
        if (again.Ready is null) throw new InvalidOperationException("rebuild failed: " + again.Failure);
        await RemoveServerAsync(again.Ready, cancellationToken).ConfigureAwait(false);
        // The next round starts from the base image again: the rebuild first (its layers sit on the cold build's).
        await RemoveImageAsync(again.Ready.Image!, cancellationToken).ConfigureAwait(false);
        await RemoveImageAsync(cold.Ready.Image!, cancellationToken).ConfigureAwait(false);
        return (cold.Phases[BinderPhase.Built], again.Phases[BinderPhase.Built]);
    }

    /// <summary>
    /// The repository of the build rows: apt.txt (with a unique comment, so its layer is new), requirements.txt,
    /// postBuild and a notebook.
    /// </summary>
    private GitRepo BuildRepo()
    {
        var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["index.ipynb"] = Notebook,
            ["requirements.txt"] = "six\n",
            ["apt.txt"] = $"# {Guid.NewGuid():N}\ntree\n",
            ["postBuild"] = "#!/bin/bash\nset -e\necho done > \"$HOME/postbuild.txt\"\n",
        });
        _more.Add(repo);
        return repo;
    }

    private const string Notebook = """{"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Hello"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}""";

    /// <summary>
    /// A cold build through <c>/build</c> (request → <c>built</c>) against <c>docker build</c> of exactly what the
    /// builder sends the engine for the same commit: its generated Dockerfile, tar context and build arguments,
    /// taken from the service's own builder. Each build starts from the base image alone (the other's image and
    /// layers are removed first); the order alternates each round.
    /// </summary>
    public async Task<(List<double> Floor, List<double> Service)> BuildRoundsAsync(int rounds, CancellationToken cancellationToken)
    {
        var builder = _server.Services.GetRequiredService<BinderOrleans.Docker.Builds.DockerImageBuilder>();
        var floor = new List<double>();
        var service = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var repo = BuildRepo();
            for (var k = 0; k < 2; k++)
            {
                if ((r + k) % 2 == 0)
                {
                    floor.Add(await DockerBuildAsync(builder, repo, cancellationToken).ConfigureAwait(false));
                }
                else
                {
                    var run = await RequestAsync($"build/git/{Uri.EscapeDataString(repo.Url)}/{repo.Head}", cancellationToken).ConfigureAwait(false);
                    if (run.Ready is null) throw new InvalidOperationException("build failed: " + run.Failure);
                    await RemoveServerAsync(run.Ready, cancellationToken).ConfigureAwait(false);
                    await RemoveImageAsync(run.Ready.Image!, cancellationToken).ConfigureAwait(false);
                    service.Add(run.Phases[BinderPhase.Built]);
                    Console.Error.WriteLine("bench: service build phases (ms): " + string.Join(", ",
                        run.Phases.OrderBy(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0}"))));
                }
            }
        }
        return (floor, service);
    }

    /// <summary>The floor of a build: <c>docker build</c> of the builder's own context for the commit, timed alone.</summary>
    private async Task<double> DockerBuildAsync(BinderOrleans.Docker.Builds.DockerImageBuilder builder, GitRepo repo, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("binder-bench-floor-");
        try
        {
            var checkout = Path.Combine(work.FullName, "repo");
            var (code, output) = await Cli.RunAsync("git", ["clone", "--quiet", "--", repo.Path, checkout], cancellationToken).ConfigureAwait(false);
            if (code != 0) throw new InvalidOperationException("git clone failed: " + output);
            var tag = $"binderorleans-bench-floor-{Guid.NewGuid():N}"[..40] + ":latest";
            var request = new BinderOrleans.Core.Builds.BuildRequest(tag, "bench-floor", repo.Url, repo.Head, "git");
            var (prepared, error) = await builder.PrepareCheckoutAsync(request, checkout, cancellationToken).ConfigureAwait(false);
            if (prepared is not { } p) throw new InvalidOperationException("preparing the context failed: " + error);
            var tar = Path.Combine(work.FullName, "context.tar");
            await using (var file = File.Create(tar))
            {
                await p.Context.WriteAsync(file, cancellationToken).ConfigureAwait(false);
            }
            List<string> args = ["build", "--quiet", "--rm", "--force-rm", "-f", p.Parameters.Dockerfile ?? "Dockerfile", "-t", tag];
            foreach (var (key, value) in p.Parameters.BuildArgs ?? new Dictionary<string, string>()) args.AddRange(["--build-arg", $"{key}={value}"]);
            foreach (var (key, value) in p.Parameters.Labels ?? new Dictionary<string, string>()) args.AddRange(["--label", $"{key}={value}"]);
            if (p.Parameters.NetworkMode is { Length: > 0 } network) args.AddRange(["--network", network]);
            args.Add("-");
            var clock = Stopwatch.StartNew();
            var (buildCode, buildOutput) = await Cli.RunAsync("docker", args, cancellationToken, input: tar).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (buildCode != 0) throw new InvalidOperationException("docker build failed: " + buildOutput);
            await RemoveImageAsync(tag, cancellationToken).ConfigureAwait(false);
            return elapsed;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _probe.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        _git.Dispose();
        await _sandbox.DisposeAsync().ConfigureAwait(false);
        _repo.Dispose();
        foreach (var repo in _more) repo.Dispose();
    }
}

internal sealed record ServiceRun(double TotalMs, IReadOnlyDictionary<string, double> Phases, BinderEvent? Ready, string? Failure);

internal sealed record LaunchResult(List<double> Floor, List<ServiceRun> ByCommit, List<ServiceRun> ByHead);

/// <summary>Build rows: <c>docker build</c> and the service's cold builds (ms), and cold/rebuild pairs.</summary>
internal sealed record BuildResult(List<double> DockerBuild, List<double> Service, List<(double Cold, double Rebuild)> Rebuilds);

/// <summary>Prints the engine scenario's table and its <c>BENCH-RESULT</c> line.</summary>
internal static class EngineReport
{
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static bool Print(TextWriter output, LaunchResult launch, List<ServiceRun>? concurrent, BuildResult? builds)
    {
        var floor50 = Percentile(launch.Floor, 50);
        var floor95 = Percentile(launch.Floor, 95);
        var rows = new List<Dictionary<string, object?>>();
        var table = new List<string[]>();
        var ok = true;
        void Row(string name, IReadOnlyCollection<double> ms, int errors, double? p50Target, double? p95Target, string floorName)
        {
            var p50 = Percentile(ms, 50);
            var p95 = Percentile(ms, 95);
            var r50 = floorName.Length > 0 ? Stats.Ratio(p50, floor50) : double.NaN;
            var r95 = floorName.Length > 0 ? Stats.Ratio(p95, floor95) : double.NaN;
            var met = errors == 0 && (p50Target is null || r50 <= p50Target) && (p95Target is null || r95 <= p95Target);
            table.Add([name, ms.Count.ToString(CultureInfo.InvariantCulture), errors.ToString(CultureInfo.InvariantCulture), F(p50), F(p95),
                double.IsNaN(r50) ? "-" : r50.ToString("0.00", CultureInfo.InvariantCulture), double.IsNaN(r95) ? "-" : r95.ToString("0.00", CultureInfo.InvariantCulture),
                Target(p50Target, p95Target, errors), met ? "yes" : "NO"]);
            rows.Add(new() { ["name"] = name, ["n"] = ms.Count, ["errors"] = errors, ["p50_ms"] = Round(p50), ["p95_ms"] = Round(p95),
                ["p50_ratio"] = Round(r50, 3), ["p95_ratio"] = Round(r95, 3), ["met"] = met });
            ok &= errors == 0;
        }
        Row("floor: docker run + /api/status every 10 ms", launch.Floor, 0, null, null, "");
        Row("cached launch, ref = commit", Ok(launch.ByCommit), Errors(launch.ByCommit), 1.05, 1.15, "floor");
        Row("cached launch, ref = HEAD (git://127.0.0.1)", Ok(launch.ByHead), Errors(launch.ByHead), 1.10, null, "floor");
        if (concurrent is not null)
        {
            Row($"{concurrent.Count} concurrent cached launches", Ok(concurrent), Errors(concurrent), null, null, "");
            rows[^1]["p99_ms"] = Round(Percentile(Ok(concurrent), 99));
        }
        output.WriteLine("Engine scenario (times in ms, request → ready; ratios against the floor's same percentile):");
        output.Write(Table.Format(["row", "n", "errors", "p50 ms", "p95 ms", "p50 x floor", "p95 x floor", "target", "met"], table));
        if (concurrent is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concurrent: p99 {F(Percentile(Ok(concurrent), 99))} ms"));
        }
        // Where the time goes: the median arrival of each phase's first event (profile of the cached launch).
        foreach (var (name, runs) in new[] { ("commit", launch.ByCommit), ("HEAD", launch.ByHead) })
        {
            var phases = runs.Where(r => r.Ready is not null).SelectMany(r => r.Phases).GroupBy(p => p.Key)
                .Select(g => (g.Key, Stats.Median(g.Select(p => p.Value)))).OrderBy(p => p.Item2);
            output.WriteLine($"phases ({name}): " + string.Join(", ", phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Item2:0}"))));
        }
        if (builds is not null)
        {
            var floorBuild = Stats.Median(builds.DockerBuild);
            var serviceBuild = Stats.Median(builds.Service);
            var buildRatio = Stats.Ratio(serviceBuild, floorBuild);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cold build (apt.txt + requirements.txt + postBuild), medians of {builds.Service.Count}: docker build of the generated context {floorBuild:0} ms [{string.Join(", ", builds.DockerBuild.Select(F))}], "
                + $"service request -> built {serviceBuild:0} ms [{string.Join(", ", builds.Service.Select(F))}], ratio {buildRatio:0.00} (target <= 1.05)"));
            rows.Add(new() { ["name"] = "build vs docker build", ["n"] = builds.Service.Count, ["docker_build_ms"] = Round(floorBuild), ["service_ms"] = Round(serviceBuild),
                ["ratio"] = Round(buildRatio, 3), ["met"] = buildRatio <= 1.05 });
            var ratios = builds.Rebuilds.Select(b => Stats.Ratio(b.Rebuild, b.Cold)).ToList();
            var ratio = Stats.Median(ratios);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rebuild after a notebook edit, median of {ratios.Count}: cold {Stats.Median(builds.Rebuilds.Select(b => b.Cold)):0} ms, rebuild {Stats.Median(builds.Rebuilds.Select(b => b.Rebuild)):0} ms, "
                + $"ratio {ratio:0.000} [{string.Join(", ", ratios.Select(x => x.ToString("0.000", CultureInfo.InvariantCulture)))}] (target <= 0.15)"));
            rows.Add(new() { ["name"] = "rebuild after notebook edit", ["n"] = ratios.Count, ["cold_ms"] = Round(Stats.Median(builds.Rebuilds.Select(b => b.Cold))),
                ["rebuild_ms"] = Round(Stats.Median(builds.Rebuilds.Select(b => b.Rebuild))), ["ratio"] = Round(ratio, 3), ["met"] = ratio <= 0.15 });
        }
        foreach (var failure in launch.ByCommit.Concat(launch.ByHead).Concat(concurrent ?? []).Select(r => r.Failure).OfType<string>().Distinct().Take(3))
        {
            output.WriteLine("error: " + failure.Trim());
        }
        output.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new Dictionary<string, object?> { ["scenario"] = "engine", ["rows"] = rows }));
        return ok;
    }

    private static List<double> Ok(List<ServiceRun> runs) => runs.Where(r => r.Ready is not null).Select(r => r.TotalMs).ToList();

    private static int Errors(List<ServiceRun> runs) => runs.Count(r => r.Ready is null);

    internal static string F(double ms) => double.IsNaN(ms) ? "-" : ms.ToString("0", CultureInfo.InvariantCulture);

    internal static double? Round(double value, int digits = 1) => double.IsNaN(value) ? null : Math.Round(value, digits);

    private static string Target(double? p50, double? p95, int errors) =>
        p50 is null && p95 is null ? "0 errors" : string.Join(", ", new[] { p50 is { } a ? $"p50<={a:0.00}" : null, p95 is { } b ? $"p95<={b:0.00}" : null }.OfType<string>());
}
