using BinderOrleans.Core.Streaming;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>A hub of its own, stopped and started again by the test.</summary>
public sealed class JupyterHubOutageTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Launch_HubStopped_RetriesVisibleThenFailsThenWorksWhenHubIsBack()
    {
        await using var hub = await HubProcess.StartAsync().WaitAsync(Timeout);
        await using var backend = HubBackend.For(hub);
        using var cts = new CancellationTokenSource(Timeout);
        Assert.True((await backend.Health.CheckAsync(cts.Token)).Ok);

        await hub.StopAsync().WaitAsync(Timeout);
        var health = await backend.Health.CheckAsync(cts.Token);
        Assert.Equal("JupyterHub API", health.Service);
        Assert.False(health.Ok);

        var repo = $"https://example.org/tests/outage-{hub.RunId}";
        var down = await backend.LaunchAsync(HubBackend.Request(repo), Timeout);

        var failed = down[^1];
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(500, failed.StatusCode);
        Assert.StartsWith($"Failed to create temporary user for {HubProcess.Image}: the JupyterHub API at {hub.ApiUrl} could not be reached (",
            failed.Message, StringComparison.Ordinal);
        var launching = down[..^1];
        Assert.All(launching, e => Assert.Equal(BinderPhase.Launching, e.Phase));
        // Retries=2: each attempt retries its call once, and the launch is attempted twice.
        Assert.Equal(2, launching.Count(e => e.Message!.StartsWith("JupyterHub could not be reached (", StringComparison.Ordinal)
            && e.Message.EndsWith("; trying again in 200 ms...\n", StringComparison.Ordinal)));
        Assert.Single(launching, e => e.Message == "Launch attempt 1 failed, retrying...\n");

        await hub.StartAgainAsync().WaitAsync(Timeout);
        Assert.True((await backend.Health.CheckAsync(cts.Token)).Ok);
        var up = await backend.LaunchAsync(HubBackend.Request(repo), Timeout);

        var ready = up[^1];
        Assert.True(ready.Phase == BinderPhase.Ready, string.Join(" | ", up.Select(BinderEventJson.Serialize)));
        var (status, _) = await ServerProbe.StatusAsync(ready.Url!, ready.Token);
        Assert.Equal(200, status);
    }
}
