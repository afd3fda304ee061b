using BinderOrleans.Bench.FanOut;

namespace BinderOrleans.Tests.Bench;

/// <summary>The benchmark's scenario A at a small size, for its behaviour only (the benchmark itself reports the costs).</summary>
public sealed class FanOutScenarioTests
{
    [Fact]
    public async Task ManyWatchersOfOneBuild_OnTwoSilos_ShareOneBuilderCall_AndEachGetsEveryEventInOrder()
    {
        const int Watchers = 50;
        const int Lines = 200;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var scenario = await FanOutScenario.StartAsync(silos: 2, Lines);

        var round = await scenario.RunAsync(Watchers, Lines, cts.Token);

        Assert.Equal(1, round.BuilderInvocations);
        Assert.Equal(Watchers, round.WatchersComplete);
        // waiting + every line + built, for each watcher.
        Assert.Equal(Watchers * (Lines + 2L), round.Delivered);
    }
}
