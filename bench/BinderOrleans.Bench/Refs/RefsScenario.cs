using System.Diagnostics;
using System.Globalization;
using BinderOrleans.Bench.Harness;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.Bench.Refs;

/// <summary>
/// Resolving a branch of a <c>git</c> spec (issue 23 §2), over loopback against git's own servers: <c>HEAD</c> listed in
/// process against <c>git ls-remote</c> (what the provider ran before) in the same run, interleaved; and a herd, N
/// concurrent requests for one branch through the provider's coalescer, counting connections the host saw.
/// </summary>
internal sealed class RefsScenario : IDisposable
{
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "refs bench\n" });
    private readonly ServiceProvider _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();

    public void Dispose()
    {
        _http.Dispose();
        _repo.Dispose();
    }

    private GitRepoProvider Provider(IGitRefLister lister) => new(
        Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = ["git", "http"] }),
        new GitCommand(TimeProvider.System), NullLogger<GitRepoProvider>.Instance, lister);

    /// <summary>Milliseconds per <c>HEAD</c> resolution, in process and by process, <paramref name="rounds"/> each, interleaved.</summary>
    public async Task<(List<double> InProcess, List<double> LsRemote)> HeadAsync(int rounds, CancellationToken cancellationToken)
    {
        using var daemon = await GitDaemon.StartAsync(_repo, cancellationToken).ConfigureAwait(false);
        var spec = $"{Uri.EscapeDataString(daemon.UrlOf(_repo))}/HEAD";
        var inProcess = Provider(new GitRefClient(_http.GetRequiredService<IHttpClientFactory>()));
        var byProcess = Provider(new NoLister());
        List<double> fast = [], slow = [];
        for (var i = 0; i < rounds + 3; i++)
        {
            // The first rounds warm up the JIT and git's page cache, and are not counted.
            var a = await TimeAsync(inProcess, spec, cancellationToken).ConfigureAwait(false);
            var b = await TimeAsync(byProcess, spec, cancellationToken).ConfigureAwait(false);
            if (i < 3) continue;
            fast.Add(a);
            slow.Add(b);
        }
        return (fast, slow);
    }

    /// <summary>Connections the host accepted and failures, for <paramref name="clients"/> concurrent requests for one branch.</summary>
    public async Task<(int Connections, int Failures, double Milliseconds)> HerdAsync(int clients, CancellationToken cancellationToken)
    {
        using var daemon = await GitDaemon.StartAsync(_repo, cancellationToken).ConfigureAwait(false);
        await using var relay = new TcpRelay(daemon.Port);
        var provider = Provider(new GitRefClient(_http.GetRequiredService<IHttpClientFactory>()));
        var coalescer = new ResolveCoalescer(Microsoft.Extensions.Options.Options.Create(new RepoProvidersOptions()), TimeProvider.System);
        var spec = $"{Uri.EscapeDataString($"git://127.0.0.1:{relay.Port}/{Path.GetFileName(_repo.Path)}")}/main";
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, clients)
            .Select(_ => Task.Run(() => coalescer.ResolveAsync(provider, spec, cancellationToken), cancellationToken))).ConfigureAwait(false);
        var failures = results.Count(r => r is not ResolveResult.Resolved { Repo.ResolvedRef: var sha } || sha != _repo.Head);
        return (relay.Accepted, failures, clock.Elapsed.TotalMilliseconds);
    }

    private static async Task<double> TimeAsync(GitRepoProvider provider, string spec, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = await provider.ResolveAsync(spec, cancellationToken).ConfigureAwait(false);
        if (result is not ResolveResult.Resolved) throw new InvalidOperationException("HEAD did not resolve: " + result);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Prints both rows; false when the herd made more than one connection or any request failed.</summary>
    public static bool Print(TextWriter output, (List<double> InProcess, List<double> LsRemote) head, (int Connections, int Failures, double Milliseconds) herd, int clients)
    {
        static double P(List<double> v, double q) => v.Order().ElementAt(Math.Min(v.Count - 1, (int)Math.Floor(q * v.Count)));
        output.WriteLine("Refs (git daemon on loopback):");
        output.Write(Table.Format(["row", "p50 ms", "p95 ms", "target"],
        [
            ["HEAD in process", F(Stats.Median(head.InProcess)), F(P(head.InProcess, 0.95)), "p50 <= 10 ms"],
            ["HEAD by git ls-remote (before)", F(Stats.Median(head.LsRemote)), F(P(head.LsRemote, 0.95)), "-"],
        ]));
        output.Write(Table.Format(["herd", "requests", "host connections", "failures", "ms", "target"],
        [
            ["one branch, concurrent", clients.ToString(CultureInfo.InvariantCulture), herd.Connections.ToString(CultureInfo.InvariantCulture),
                herd.Failures.ToString(CultureInfo.InvariantCulture), F(herd.Milliseconds), "1 connection, 0 failures"],
        ]));
        return herd.Connections == 1 && herd.Failures == 0;
    }

    private static string F(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>Takes no URL: the provider runs <c>git ls-remote</c>, as it did for every spec before.</summary>
    private sealed class NoLister : IGitRefLister
    {
        public Task<Core.Providers.Git.GitCommandResult?> LsRemoteAsync(string url, IReadOnlyList<string> patterns, TimeSpan timeout, CancellationToken cancellationToken) =>
            Task.FromResult<Core.Providers.Git.GitCommandResult?>(null);
    }
}
