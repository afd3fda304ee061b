using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;
using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Tests.JupyterHub;

/// <summary>The launcher's protocol against a scripted hub: retries, progress relay, failures and cleanup.</summary>
public sealed class JupyterHubLauncherTests
{
    private const string Image = "r2d-binder-examples:abc";

    private static readonly string[] ReadyStream =
    [
        """{"progress": 10, "message": "Server requested"}""",
        """{"progress": 50, "message": "Pulling image r2d-binder-examples:abc"}""",
        """{"progress": 100, "ready": true, "message": "Server ready at /user/x/", "url": "/user/x/"}""",
    ];

    [Fact]
    public async Task Launch_CreateUser503Then409_CountsAsCreatedRelaysProgressAndIsReady()
    {
        await using var hub = await FakeHub.StartAsync();
        var creates = 0;
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => ++creates == 1
                ? FakeHub.Reply(ctx, 503, """{"status": 503, "message": "Service Unavailable"}""")
                : FakeHub.Reply(ctx, 409, """{"status": 409, "message": "User already exists"}"""),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => FakeHub.Progress(ctx, ReadyStream),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub);
        var request = FakeHubBackend.Request();

        var events = await backend.LaunchAsync(request);

        Assert.Equal(
            [
                "JupyterHub answered 503: Service Unavailable; trying again in 10 ms...\n",
                "Server requested\n",
                "Pulling image r2d-binder-examples:abc\n",
                "Server ready at /user/x/\n",
            ],
            events[..^1].Select(e => e.Message));
        Assert.All(events[..^1], e => Assert.Equal(BinderPhase.Launching, e.Phase));
        var ready = events[^1];
        Assert.Equal(BinderPhase.Ready, ready.Phase);
        var user = UserOf(hub.Calls[0]);
        Assert.Matches("^binder-examples-requirements-[a-z0-9]{8}$", user);
        Assert.Equal($"{hub.Url}user/{user}/", ready.Url);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", ready.Token);

        Assert.Equal([$"POST users/{user}", $"POST users/{user}", $"POST users/{user}/servers/", $"GET users/{user}/server/progress"],
            hub.Calls.Select(c => c.ToString()));
        Assert.All(hub.Calls, c => Assert.Equal($"token {FakeHubBackend.Token}", c.Authorization));
        var options = JsonNode.Parse(hub.Calls[2].Body)!.AsObject();
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["image"] = Image,
                ["repo_url"] = request.RepoUrl,
                ["token"] = ready.Token!,
                ["binder_ref_url"] = request.RefUrl,
                ["binder_launch_host"] = request.LaunchHost,
                ["binder_request"] = request.BinderRequest,
                ["binder_persistent_request"] = request.PersistentRequest,
                ["binder_client_ip"] = request.ClientIp,
            },
            options.ToDictionary(p => p.Key, p => (string)p.Value!));
    }

    [Fact]
    public async Task Launch_SpawnFails_FailedCarriesHubMessageAndTheUserIsDeleted()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 201, "{}"),
            // The hub answers 500 when the spawn fails while it waits; the progress stream says why.
            "start" => FakeHub.Reply(ctx, 500, """{"status": 500, "message": "error"}"""),
            "progress" => FakeHub.Progress(ctx, ["""{"progress": 100, "failed": true, "message": "Spawn failed: image not found"}"""]),
            "delete-server" => FakeHub.Reply(ctx, 204),
            "delete-user" => FakeHub.Reply(ctx, 204),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?> { ["JupyterHub:Retries"] = "1" });

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        var failed = Assert.Single(events);
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal("Spawn failed: image not found\n", failed.Message);
        Assert.Equal(500, failed.StatusCode);
        var user = UserOf(hub.Calls[0]);
        Assert.Equal(
            [$"POST users/{user}", $"POST users/{user}/servers/", $"GET users/{user}/server/progress", $"DELETE users/{user}/servers/", $"DELETE users/{user}"],
            hub.Calls.Select(c => c.ToString()));
    }

    [Fact]
    public async Task Launch_EveryAttemptFails_RetriesWithFreshUsersAndDeletesEach()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => FakeHub.Progress(ctx, ["""{"progress": 100, "failed": true, "message": "Spawn failed: no room"}"""]),
            "delete-server" or "delete-user" => FakeHub.Reply(ctx, 204),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?> { ["JupyterHub:Retries"] = "3" });

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        Assert.Equal(
            ["launching:Launch attempt 1 failed, retrying...\n", "launching:Launch attempt 2 failed, retrying...\n", "failed:Spawn failed: no room\n"],
            events.Select(e => $"{e.Phase}:{e.Message}"));
        var created = hub.Calls.Where(c => Route(c) == "create").Select(UserOf).ToList();
        Assert.Equal(3, created.Distinct().Count());
        Assert.Equal(created, hub.Calls.Where(c => Route(c) == "delete-user").Select(UserOf));
    }

    [Fact]
    public async Task Launch_HubRefusesTheToken_FailsAtOnceWithTheHubsReason()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => FakeHub.Reply(ctx, 403,
            """{"status": 403, "message": "Action is not authorized with current scopes; requires any of [admin:users]"}""");
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?> { ["JupyterHub:Retries"] = "4" });

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        var failed = Assert.Single(events);
        Assert.Equal(
            $"Failed to create temporary user for {Image}: JupyterHub answered 403: Action is not authorized with current scopes; requires any of [admin:users]\n",
            failed.Message);
        Assert.Equal(500, failed.StatusCode);
        // Nothing was created, so nothing is deleted.
        Assert.Single(hub.Calls);
    }

    [Fact]
    public async Task Launch_FirstCreateAnswers409_SomeoneElsesUserIsLeftAlone()
    {
        await using var hub = await FakeHub.StartAsync();
        var creates = 0;
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => ++creates == 1 ? FakeHub.Reply(ctx, 409, """{"status": 409, "message": "User exists"}""") : FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => FakeHub.Progress(ctx, ReadyStream),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub);

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Contains(events, e => e.Message == "Launch attempt 1 failed, retrying...\n");
        Assert.DoesNotContain(hub.Calls, c => c.Method == "DELETE");
        var users = hub.Calls.Where(c => Route(c) == "create").Select(UserOf).ToList();
        Assert.Equal(2, users.Distinct().Count());
        Assert.Equal($"{hub.Url}user/{users[1]}/", events[^1].Url);
    }

    [Fact]
    public async Task Launch_ProgressStream503Once_IsOpenedAgainAfterTheDelay_AndTheUserIsTold()
    {
        await using var hub = await FakeHub.StartAsync();
        var opens = 0;
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => ++opens == 1
                ? FakeHub.Reply(ctx, 503, """{"status": 503, "message": "Hub busy"}""")
                : FakeHub.Progress(ctx, ReadyStream),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub);

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Equal(0, events[^1].Retries);
        Assert.Equal(2, opens);
        Assert.Contains(events, e => e.Message == "JupyterHub answered 503: Hub busy; trying again in 10 ms...\n");
    }

    [Fact]
    public async Task Launch_ReadyEvent_SaysHowManyLaunchAttemptsWereRetried()
    {
        await using var hub = await FakeHub.StartAsync();
        var creates = 0;
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => ++creates <= 2 ? FakeHub.Reply(ctx, 409, """{"status": 409, "message": "User exists"}""") : FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => FakeHub.Progress(ctx, ReadyStream),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?> { ["JupyterHub:Retries"] = "3" });

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Equal(2, events[^1].Retries);
        Assert.DoesNotContain("retries", BinderEventJson.Serialize(events[^1]), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Launch_ProgressStalls_TimesOutWaitsOutThePendingSpawnAndDeletesTheUser()
    {
        await using var hub = await FakeHub.StartAsync();
        var serverDeletes = 0;
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => FakeHub.Progress(ctx, ["""{"progress": 10, "message": "Server requested"}"""], TimeSpan.FromSeconds(60)),
            "delete-server" => ++serverDeletes < 3
                ? FakeHub.Reply(ctx, 400, """{"status": 400, "message": "x's server is pending spawn, please wait"}""")
                : FakeHub.Reply(ctx, 204),
            "delete-user" => FakeHub.Reply(ctx, 204),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?>
        {
            ["JupyterHub:Retries"] = "1",
            ["JupyterHub:LaunchTimeout"] = "00:00:00.5",
        });

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        var user = UserOf(hub.Calls[0]);
        Assert.Equal(["launching:Server requested\n", $"failed:Image {Image} for user {user} took too long to launch\n"],
            events.Select(e => $"{e.Phase}:{e.Message}"));
        Assert.Equal(3, serverDeletes);
        Assert.Equal($"DELETE users/{user}", hub.Calls[^1].ToString());
    }

    [Fact]
    public async Task Launch_ReaderLeaves_TheAttemptIsCleanedUpBeforeTheStreamEnds()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => FakeHub.Progress(ctx, ["""{"progress": 10, "message": "Server requested"}"""], TimeSpan.FromSeconds(60)),
            "delete-server" or "delete-user" => FakeHub.Reply(ctx, 204),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in backend.Launcher.LaunchAsync(FakeHubBackend.Request(), cts.Token))
            {
                if (e.Message == "Server requested\n") await cts.CancelAsync();
            }
        });

        var user = UserOf(hub.Calls[0]);
        Assert.Equal([$"DELETE users/{user}/servers/", $"DELETE users/{user}"], hub.Calls.Where(c => c.Method == "DELETE").Select(c => c.ToString()));
    }

    [Fact]
    public async Task Launch_StreamEndsWithoutVerdict_TheUserModelDecides()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 201, "{}"),
            "start" => FakeHub.Reply(ctx, 201),
            "progress" => FakeHub.Progress(ctx, ["""{"progress": 50, "message": "Almost"}"""]),
            "get-user" => FakeHub.Reply(ctx, 200, """{"name": "x", "servers": {"": {"name": "", "ready": true}}}"""),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub);

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        Assert.Equal(["launching:Almost\n", "ready:"], events.Select(e => $"{e.Phase}:{e.Message}"));
    }

    [Fact]
    public async Task Launch_NamedServers_StartsANamedServerOfTheConfiguredUserAndRemovesItOnFailure()
    {
        await using var hub = await FakeHub.StartAsync();
        var failNext = false;
        hub.Handle = (call, ctx) => Route(call) switch
        {
            "create" => FakeHub.Reply(ctx, 409, """{"status": 409, "message": "User binder-servers already exists"}"""),
            "start" => FakeHub.Reply(ctx, 202),
            "progress" => failNext
                ? FakeHub.Progress(ctx, ["""{"progress": 100, "failed": true, "message": "Spawn failed: nope"}"""])
                : FakeHub.Progress(ctx, ReadyStream),
            "delete-server" => FakeHub.Reply(ctx, 202),
            _ => FakeHub.Reply(ctx, 404),
        };
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?>
        {
            ["JupyterHub:AllowNamedServers"] = "true",
            ["JupyterHub:Retries"] = "1",
        });

        var ok = await backend.LaunchAsync(FakeHubBackend.Request());
        failNext = true;
        var failed = await backend.LaunchAsync(FakeHubBackend.Request());

        var start = hub.Calls.First(c => Route(c) == "start");
        var server = start.PathAndQuery["users/binder-servers/servers/".Length..];
        Assert.Matches("^binder-examples-requirements-[a-z0-9]{8}$", server);
        Assert.Contains($"GET users/binder-servers/servers/{server}/progress", hub.Calls.Select(c => c.ToString()));
        Assert.Equal($"{hub.Url}user/binder-servers/{server}/", ok[^1].Url);
        Assert.Equal("Spawn failed: nope\n", failed[^1].Message);
        var delete = Assert.Single(hub.Calls, c => c.Method == "DELETE");
        Assert.StartsWith("users/binder-servers/servers/binder-examples-requirements-", delete.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(true, (bool?)JsonNode.Parse(delete.Body)?["remove"]);
    }

    /// <summary>Which hub call this is, by method and path shape.</summary>
    private static string Route(HubCall call)
    {
        var path = call.PathAndQuery;
        var segments = path.Split('/');
        return (call.Method, segments) switch
        {
            ("POST", [_, _]) => "create",
            ("GET", [_, _]) => "get-user",
            ("DELETE", [_, _]) => "delete-user",
            ("POST", [_, _, "servers", _]) => "start",
            ("DELETE", [_, _, "servers", _]) => "delete-server",
            ("GET", [.., "progress"]) => "progress",
            _ => "other",
        };
    }

    private static string UserOf(HubCall call) => Uri.UnescapeDataString(call.PathAndQuery.Split('/')[1]);
}
