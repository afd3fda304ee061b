using BinderOrleans.Core.Events;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// What a launch through the hub leaves when its client goes away (issue 12): nothing, neither a server nor the
/// temporary user, whether the client left while the hub was spawning or after the server came up for nobody.
/// </summary>
[Collection(JupyterHubCollection.Name)]
public sealed class AbandonedHubLaunchTests(JupyterHubFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private HubProcess Hub => fixture.Hub;

    [Fact]
    public async Task ServerReadyForNobody_Stopped_ServerAndTemporaryUserRemoved()
    {
        await using var backend = HubBackend.For(Hub);
        var ready = (await backend.LaunchAsync(HubBackend.Request($"https://example.org/tests/unclaimed-{Hub.RunId}"), Bound))[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        var user = ready.Server!.Split('/')[0];
        Assert.NotNull(await Hub.GetUserAsync(user));
        Assert.NotEmpty(await Hub.RunningContainersOfAsync(user));

        using var cts = new CancellationTokenSource(Bound);
        await backend.Launcher.StopAsync(ready.Server, cts.Token).WaitAsync(cts.Token);

        Assert.Null(await Hub.GetUserAsync(user));
        Assert.Empty(await Hub.RunningContainersOfAsync(user));
    }

    [Fact]
    public async Task ClientGoneMidSpawn_NoServerAndNoTemporaryUserLeft()
    {
        await using var backend = HubBackend.For(Hub);
        var before = await Hub.UserNamesAsync();
        using var cts = new CancellationTokenSource(Bound);
        var repo = $"https://example.org/tests/gone-mid-spawn-{Hub.RunId}";

        // Leave at the first word from the hub after the temporary user was made: the spawn is under way.
        string? user = null;
        using (var leave = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            await using var events = backend.Launcher.LaunchAsync(HubBackend.Request(repo), leave.Token).GetAsyncEnumerator(leave.Token);
            while (user is null && await events.MoveNextAsync())
            {
                Assert.NotEqual(BinderPhase.Ready, events.Current.Phase);
                user = (await Hub.UserNamesAsync()).Except(before).FirstOrDefault();
            }
            await leave.CancelAsync();
        }

        Assert.NotNull(user);
        Assert.Null(await Hub.GetUserAsync(user));
        Assert.Empty(await Hub.RunningContainersOfAsync(user));
    }
}
