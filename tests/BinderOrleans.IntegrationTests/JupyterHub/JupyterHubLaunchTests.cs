using System.Text.Json.Nodes;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>Launches through a real JupyterHub 3.0 + configurable-http-proxy, servers from a real image via docker.</summary>
[Collection(JupyterHubCollection.Name)]
public sealed class JupyterHubLaunchTests(JupyterHubFixture fixture)
{
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(120);

    private HubProcess Hub => fixture.Hub;

    [Fact]
    public async Task Launch_ExistingImage_ServerAnswersThroughHubProxyWithToken()
    {
        await using var backend = HubBackend.For(Hub);
        var repo = $"https://example.org/Tests/Launch-{Hub.RunId}.git";
        var request = HubBackend.Request(repo);

        var events = await backend.LaunchAsync(request, LaunchTimeout);

        var ready = events[^1];
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(events));
        Assert.All(events[..^1], e => Assert.Equal(BinderPhase.Launching, e.Phase));
        Assert.Contains(events, e => e.Message?.StartsWith("Server ready at /user/", StringComparison.Ordinal) == true);
        var prefix = $"{Hub.PublicUrl.AbsoluteUri}user/tests-launch-{Hub.RunId}-";
        Assert.StartsWith(prefix, ready.Url);
        var user = ready.Url![(Hub.PublicUrl.AbsoluteUri.Length + "user/".Length)..^1];
        Assert.Matches("^tests-launch-[0-9a-f]{8}-[a-z0-9]{8}$", user);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", ready.Token);
        try
        {
            var (status, body) = await ServerProbe.StatusAsync(ready.Url, ready.Token);
            Assert.Equal(200, status);
            Assert.NotNull(JsonNode.Parse(body)?["started"]);
            var (withoutToken, _) = await ServerProbe.StatusAsync(ready.Url, null);
            Assert.Equal(403, withoutToken);

            var options = (await Hub.GetUserAsync(user))?["servers"]?[""]?["user_options"];
            Assert.NotNull(options);
            Assert.Equal(HubProcess.Image, (string?)options["image"]);
            Assert.Equal(repo, (string?)options["repo_url"]);
            Assert.Equal(ready.Token, (string?)options["token"]);
            Assert.Equal(request.RefUrl, (string?)options["binder_ref_url"]);
            Assert.Equal(request.LaunchHost, (string?)options["binder_launch_host"]);
            Assert.Equal(request.BinderRequest, (string?)options["binder_request"]);
            Assert.Equal(request.PersistentRequest, (string?)options["binder_persistent_request"]);
            Assert.Equal(request.ClientIp, (string?)options["binder_client_ip"]);
        }
        finally
        {
            await Hub.DeleteUserAsync(user);
        }
    }

    [Fact]
    public async Task Launch_NamedServers_TwoServersForOneUser()
    {
        var owner = $"named-{Hub.RunId}";
        await using var backend = HubBackend.For(Hub, new Dictionary<string, string?>
        {
            ["JupyterHub:AllowNamedServers"] = "true",
            ["JupyterHub:NamedServerUser"] = owner,
            ["JupyterHub:NamedServerLimitPerUser"] = "2",
        });
        var repo = $"https://example.org/tests/named-{Hub.RunId}";
        try
        {
            var first = await backend.LaunchAsync(HubBackend.Request(repo), LaunchTimeout);
            var second = await backend.LaunchAsync(HubBackend.Request(repo), LaunchTimeout);

            foreach (var events in new[] { first, second })
            {
                var ready = events[^1];
                Assert.True(ready.Phase == BinderPhase.Ready, Describe(events));
                Assert.Matches($"^{Hub.PublicUrl.AbsoluteUri}user/{owner}/tests-named-{Hub.RunId}-[a-z0-9]{{8}}/$", ready.Url);
                var (status, _) = await ServerProbe.StatusAsync(ready.Url!, ready.Token);
                Assert.Equal(200, status);
            }
            Assert.NotEqual(first[^1].Url, second[^1].Url);
            var servers = (await Hub.GetUserAsync(owner))?["servers"]?.AsObject();
            Assert.Equal(2, servers?.Count);

            // The configured limit refuses a third, without retrying and without touching the running two.
            var third = await backend.LaunchAsync(HubBackend.Request(repo), LaunchTimeout);
            var refused = Assert.Single(third);
            Assert.Equal(BinderPhase.Failed, refused.Phase);
            Assert.Equal(409, refused.StatusCode);
            Assert.Contains($"User {owner} already has the maximum of 2 named servers", refused.Message, StringComparison.Ordinal);
            Assert.Equal(2, (await Hub.GetUserAsync(owner))?["servers"]?.AsObject().Count);
        }
        finally
        {
            await Hub.DeleteUserAsync(owner);
        }
    }

    public static TheoryData<string, string> FailingImages => new()
    {
        { "missing", "No such image" },
        { "exits", "container exited with status 3: the notebook cannot start here" },
    };

    [Theory]
    [MemberData(nameof(FailingImages))]
    public async Task Launch_SpawnFails_FailedCarriesHubMessageAndNoUserLeft(string kind, string expected)
    {
        var image = $"binderorleans-test-jh-{Hub.RunId}-{kind}:1";
        if (kind == "exits")
        {
            // An image whose entrypoint ignores the notebook command and exits.
            var (code, output) = await Cli.DockerAsync(["build", "-q", "-t", image, "-"],
                $"FROM {HubProcess.Image}\nENTRYPOINT [\"sh\", \"-c\", \"echo the notebook cannot start here >&2; exit 3\", \"--\"]\n");
            Assert.True(code == 0, output);
        }
        await using var backend = HubBackend.For(Hub);
        var repo = $"https://example.org/tests/fail-{kind}-{Hub.RunId}";
        var prefix = $"tests-fail-{kind}-{Hub.RunId}-";
        try
        {
            var events = await backend.LaunchAsync(HubBackend.Request(repo, image), LaunchTimeout);

            var failed = events[^1];
            Assert.True(failed.Phase == BinderPhase.Failed, Describe(events));
            Assert.Equal(500, failed.StatusCode);
            Assert.StartsWith("Spawn failed: ", failed.Message, StringComparison.Ordinal);
            Assert.Contains(expected, failed.Message, StringComparison.Ordinal);
            Assert.Contains(events, e => e.Phase == BinderPhase.Launching && e.Message == "Launch attempt 1 failed, retrying...\n");
            Assert.DoesNotContain(await Hub.UserNamesAsync(), n => n.StartsWith(prefix, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var name in (await Hub.UserNamesAsync()).Where(n => n.StartsWith(prefix, StringComparison.Ordinal))) await Hub.DeleteUserAsync(name);
            if (kind == "exits") await Cli.DockerAsync(["rmi", "-f", "--", image]);
        }
    }

    private static string Describe(IEnumerable<BinderEvent> events) => string.Join(" | ", events.Select(BinderEventJson.Serialize));
}
