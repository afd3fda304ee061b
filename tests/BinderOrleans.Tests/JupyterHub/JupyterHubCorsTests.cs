using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Tests.JupyterHub;

/// <summary><c>Binder:CorsAllowOrigin</c> reaches the hub's spawner through <c>user_options</c>.</summary>
public sealed class JupyterHubCorsTests
{
    private static readonly string[] ReadyStream =
    [
        """{"progress": 100, "ready": true, "message": "Server ready at /user/x/", "url": "/user/x/"}""",
    ];

    [Theory]
    [InlineData("https://book.example.org")]
    [InlineData("*")]
    public async Task Launch_CorsAllowOriginSet_UserOptionsCarryIt(string origin)
    {
        var options = await StartedUserOptionsAsync(origin);

        Assert.Equal(origin, (string?)options["cors_allow_origin"]);
    }

    [Fact]
    public async Task Launch_CorsAllowOriginUnset_UserOptionsAreBinderHubs()
    {
        var options = await StartedUserOptionsAsync(null);

        Assert.False(options.ContainsKey("cors_allow_origin"));
        Assert.True(options.ContainsKey("image"));
    }

    private static async Task<JsonObject> StartedUserOptionsAsync(string? origin)
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => (call.Method, call.PathAndQuery.Split('/')) switch
        {
            ("POST", [_, _]) => FakeHub.Reply(ctx, 201),
            ("POST", [_, _, "servers", _]) => FakeHub.Reply(ctx, 202),
            ("GET", [.., "progress"]) => FakeHub.Progress(ctx, ReadyStream),
            _ => FakeHub.Reply(ctx, 404),
        };
        var settings = new Dictionary<string, string?> { ["Binder:CorsAllowOrigin"] = origin };
        await using var backend = FakeHubBackend.For(hub, settings);

        var events = await backend.LaunchAsync(FakeHubBackend.Request());

        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        var start = Assert.Single(hub.Calls, c => c.Method == "POST" && c.PathAndQuery.Contains("/servers/", StringComparison.Ordinal));
        return JsonNode.Parse(start.Body)!.AsObject();
    }
}
