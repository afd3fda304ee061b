using System.Diagnostics;
using BinderOrleans.Bench.Harness;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Grains;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Bench.FanOut;

/// <summary>
/// Scenario A, in process: W watchers attach to the build grain of one image (as W launch sessions do), then one
/// builder prints its lines; every watcher must see every line once, in order, from one builder call.
/// </summary>
internal static class FanOutScenario
{
    public static async Task<FanOutRound> RunAsync(int watchers, int lines, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(watchers, 1);
        var registry = new BenchRegistry();
        var builder = new GatedBuilder(registry, lines);
        using var lifetime = new BenchLifetime();
        var options = new BuildOptions { FailedBuildLinger = TimeSpan.Zero, MaxLogEvents = lines + 16 };
        var builds = new BuildGrains(registry, builder, new BuildQueue(options.ConcurrentLimit), Options.Create(options),
            TimeProvider.System, new BinderMetrics(new PrometheusRegistry()), NullLogger<IBuildGrain>.Instance, lifetime);
        var request = new BuildRequest("bench/fan-out:0123456789", "build-bench-fan-out", "https://example.invalid/bench", "0123456789", "bench");

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
            tasks[i] = WatchAsync(builds.Attach(request, out _), builder.Lines, OnAttached, cancellationToken);
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

    /// <summary>Reads the grain's stream as a launch session does, checking it against what the builder printed.</summary>
    private static async Task<(long Count, bool Complete)> WatchAsync(IBuildGrain grain, IReadOnlyList<BinderEvent> lines, Action attached,
        CancellationToken cancellationToken)
    {
        var index = 0;
        var inOrder = true;
        var sawBuilt = false;
        await foreach (var e in grain.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (index == 0)
            {
                inOrder &= e.Phase == BinderPhase.Waiting;
                attached();
            }
            else if (index <= lines.Count)
            {
                inOrder &= ReferenceEquals(e, lines[index - 1]);
            }
            else
            {
                sawBuilt = index == lines.Count + 1 && e.Phase == BinderPhase.Built;
                inOrder &= sawBuilt;
            }
            index++;
        }
        return (index, inOrder && sawBuilt);
    }
}
