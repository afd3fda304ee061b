using System.Diagnostics;
using System.Runtime.CompilerServices;
using BinderOrleans.Bench.Harness;
using BinderOrleans.Core;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Server.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace BinderOrleans.Bench.FanOut;

/// <summary>
/// Scenario A, on a real silo cluster in process (Orleans.TestingHost): W watchers spread over the silos read the build
/// of one image through their silo's <see cref="BuildFeeds"/> (as the front ends of W sessions do), then one builder
/// prints its lines; every watcher must see every line once, in order, from one builder call. With two silos, the
/// build's lines cross the silo link once, for the other silo's feed.
/// </summary>
internal sealed class FanOutScenario : IAsyncDisposable
{
    private readonly InProcessTestCluster _cluster;
    private readonly RoundBuilder _builder;
    private int _round;

    private FanOutScenario(InProcessTestCluster cluster, RoundBuilder builder)
    {
        _cluster = cluster;
        _builder = builder;
    }

    public int Silos => _cluster.Silos.Count;

    public static async Task<FanOutScenario> StartAsync(short silos, int maxLines)
    {
        var registry = new BenchRegistry();
        var builder = new RoundBuilder();
        var options = new BuildOptions { FailedBuildLinger = TimeSpan.Zero, MaxLogEvents = maxLines + 16 };
        var cluster = new InProcessTestClusterBuilder(silos)
            .ConfigureSiloHost((_, host) =>
            {
                host.Logging.SetMinimumLevel(LogLevel.Warning);
                host.Services.AddBinderCore();
                host.Services.AddSingleton(Options.Create(options));
                host.Services.AddSingleton<IImageRegistry>(registry);
                host.Services.AddSingleton<IImageBuilder>(builder);
                host.Services.AddSingleton<ILauncher, NoLauncher>();
            })
            .ConfigureSilo((_, silo) => silo.UseStrictGrainDirectory())
            .Build();
        await cluster.DeployAsync().ConfigureAwait(false);
        builder.Registry = registry;
        return new FanOutScenario(cluster, builder);
    }

    public async Task<FanOutRound> RunAsync(int watchers, int lines, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(watchers, 1);
        var round = Interlocked.Increment(ref _round);
        var builder = _builder.Next(lines);
        var request = new BuildRequest($"bench/fan-out:{round:D10}", $"build-bench-fan-out-{round}", "https://example.invalid/bench", $"{round:D10}", "bench");

        // Every watcher has read the first event ("Waiting for build to start...") before the builder prints.
        var attached = 0;
        var allAttached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAttached()
        {
            if (Interlocked.Increment(ref attached) == watchers) allAttached.TrySetResult();
        }

        var tasks = new Task<(long Count, bool Complete)>[watchers];
        for (var i = 0; i < watchers; i++)
        {
            var feeds = _cluster.Silos[i % _cluster.Silos.Count].ServiceProvider.GetRequiredService<BuildFeeds>();
            tasks[i] = WatchAsync(feeds, request, builder.Lines, OnAttached, cancellationToken);
        }
        await allAttached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var sampler = ThreadSampler.Start();
        (long Count, bool Complete)[] results;
        try
        {
            builder.Gate.TrySetResult();
            results = await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            sampler.Dispose();
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        return new FanOutRound(watchers, lines, builder.Invocations, results.Sum(r => r.Count), results.Count(r => r.Complete),
            elapsed, allocated, sampler.PeakPoolThreads);
    }

    /// <summary>
    /// Reads the build as a front end does: through its silo's <see cref="BuildFeeds"/> (one watch of the build grain per
    /// silo, batches on the wire), checking it against what the builder printed.
    /// </summary>
    private static async Task<(long Count, bool Complete)> WatchAsync(BuildFeeds feeds, BuildRequest request, IReadOnlyList<BinderEvent> lines,
        Action attached, CancellationToken cancellationToken)
    {
        using var reader = feeds.Open(request);
        var log = await reader.LogAsync(cancellationToken).ConfigureAwait(false);
        if (log is null) return (0, false);
        var index = 0;
        var inOrder = true;
        var sawBuilt = false;
        await foreach (var batch in log.Events.ReadBatchesAsync(0, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Length; i++)
            {
                var e = batch.Span[i];
                if (index == 0)
                {
                    inOrder &= e.Phase == BinderPhase.Waiting;
                    attached();
                }
                else if (index <= lines.Count)
                {
                    inOrder &= e.Message == lines[index - 1].Message;
                }
                else
                {
                    sawBuilt = index == lines.Count + 1 && e.Phase == BinderPhase.Built;
                    inOrder &= sawBuilt;
                }
                index++;
            }
        }
        return (index, inOrder && sawBuilt);
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync().ConfigureAwait(false);

    /// <summary>The silos' one builder: each round swaps in a fresh gated builder.</summary>
    private sealed class RoundBuilder : IImageBuilder
    {
        private GatedBuilder? _current;

        public BenchRegistry Registry { get; set; } = new();

        public GatedBuilder Next(int lines) => _current = new GatedBuilder(Registry, lines);

        public IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, CancellationToken cancellationToken) =>
            (_current ?? throw new InvalidOperationException("No round started.")).BuildAsync(request, cancellationToken);
    }

    private sealed class NoLauncher : ILauncher
    {
        public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield break;
        }
    }
}
