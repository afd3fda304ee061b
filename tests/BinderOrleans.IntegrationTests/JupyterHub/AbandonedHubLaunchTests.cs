using BinderOrleans.Core.Streaming;

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

        // Leave as soon as the temporary user exists: the spawn is under way.
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var events = backend.Launcher.LaunchAsync(HubBackend.Request(repo), leave.Token).GetAsyncEnumerator(leave.Token);
        var phases = new List<string>();
        var reading = Task.Run(async () =>
        {
            try
            {
                while (await events.MoveNextAsync()) phases.Add(events.Current.Phase);
            }
            catch (OperationCanceledException) when (leave.IsCancellationRequested)
            {
            }
        }, CancellationToken.None);
        string? user = null;
        while (user is null)
        {
            user = (await Hub.UserNamesAsync()).Except(before).FirstOrDefault();
            if (user is null) await Task.Delay(50, cts.Token);
        }
        await leave.CancelAsync();
        await reading.WaitAsync(cts.Token);
        await events.DisposeAsync();

        Assert.DoesNotContain(BinderPhase.Ready, phases);
        Assert.NotNull(user);
        var model = await Hub.GetUserAsync(user);
        Assert.True(model is null, $"user {user} left: {model}\n{Hub.RecentLog[^Math.Min(3000, Hub.RecentLog.Length)..]}");
        Assert.Empty(await Hub.RunningContainersOfAsync(user));
    }

    [Fact]
    public async Task FindExisting_SessionsServerReady_IsAdoptedWithItsToken_OtherSessionsFindNone()
    {
        await using var backend = HubBackend.For(Hub);
        var request = HubBackend.Request($"https://example.org/tests/adopt-{Hub.RunId}") with { SessionId = Guid.NewGuid().ToString("N") };
        var ready = (await backend.LaunchAsync(request, Bound))[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);

        // The survivor's launcher (a new backend) finds the same server, URL and token.
        await using var survivor = HubBackend.For(Hub);
        using var cts = new CancellationTokenSource(Bound);
        var found = await survivor.Launcher.FindExistingAsync(request, cts.Token).WaitAsync(cts.Token);
        Assert.NotNull(found);
        Assert.Equal((ready.Server, ready.Url, ready.Token), (found.Server, found.Url, found.Token));
        Assert.Null(await survivor.Launcher.FindExistingAsync(request with { SessionId = Guid.NewGuid().ToString("N") }, cts.Token).WaitAsync(cts.Token));

        await backend.Launcher.StopAsync(ready.Server!, cts.Token).WaitAsync(cts.Token);
        Assert.Null(await Hub.GetUserAsync(ready.Server!.Split('/')[0]));
    }
}
