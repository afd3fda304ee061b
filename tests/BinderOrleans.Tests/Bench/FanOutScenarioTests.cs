using BinderOrleans.Bench.FanOut;

namespace BinderOrleans.Tests.Bench;

/// <summary>The benchmark's scenario A at a small size, for its behaviour only (the benchmark itself reports the costs).</summary>
public sealed class FanOutScenarioTests
{
    [Fact]
    public async Task ManyWatchersOfOneBuild_ShareOneBuilderCall_AndEachGetsEveryEventInOrder()
    {
        const int Watchers = 50;
        const int Lines = 200;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var round = await FanOutScenario.RunAsync(Watchers, Lines, cts.Token);

        Assert.Equal(1, round.BuilderInvocations);
        Assert.Equal(Watchers, round.WatchersComplete);
        // waiting + every line + built, for each watcher.
        Assert.Equal(Watchers * (Lines + 2L), round.Delivered);
    }
}
