using BinderOrleans.Core.Health;
using BinderOrleans.Core.Launches;
using Microsoft.Extensions.DependencyInjection;
using BinderOrleans.Tests.JupyterHub;

namespace BinderOrleans.Tests.Quota;

/// <summary>The launch quota counting a hub's servers (paged <c>GET users?state=active</c> from a scripted hub).</summary>
public sealed class LaunchQuotaTests
{
    private const string RepoX = "https://github.com/o/x";

    // Page 1: a (X:1), b (Y:1 and a named X:2). Page 2: c (a server not started by Binder), d (stopped, X:3).
    private const string Page1 = """
        {"items": [
          {"name": "a", "servers": {"": {"name": "", "ready": true, "stopped": false, "user_options": {"image": "reg.example.org:5000/r2d-x:1"}}}},
          {"name": "b", "servers": {
            "": {"name": "", "ready": true, "stopped": false, "user_options": {"image": "reg.example.org:5000/r2d-y:1"}},
            "named": {"name": "named", "ready": false, "pending": "spawn", "stopped": false, "user_options": {"image": "reg.example.org:5000/r2d-x:2"}}}}
         ],
         "_pagination": {"offset": 0, "limit": 2, "total": 4, "next": {"offset": 2, "limit": 2, "url": "ignored"}}}
        """;

    private const string Page2 = """
        {"items": [
          {"name": "c", "servers": {"": {"name": "", "ready": true, "stopped": false, "user_options": {}}}},
          {"name": "d", "servers": {"": {"name": "", "ready": false, "stopped": true, "user_options": {"image": "reg.example.org:5000/r2d-x:3"}}}}
         ],
         "_pagination": {"offset": 2, "limit": 2, "total": 4, "next": null}}
        """;

    [Theory]
    [InlineData(null, 2, false, "repo_quota")]
    [InlineData(null, 3, true, null)]
    [InlineData(4, 0, false, "pod_quota")]
    [InlineData(5, 3, true, null)]
    [InlineData(0, 0, false, "pod_quota")]
    public async Task Check_CountsRunningServersOverAllPages(int? total, int repoQuota, bool allowed, string? reason)
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => FakeHub.Reply(ctx, 200, call.PathAndQuery.Contains("offset=2", StringComparison.Ordinal) ? Page2 : Page1);
        await using var backend = FakeHubBackend.For(hub, Total(total));

        var decision = await backend.Quota.CheckAsync(new QuotaRequest("reg.example.org:5000/r2d-x:9", RepoX, repoQuota), Timeout());

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(reason, decision.Reason);
        Assert.Equal(reason switch
        {
            "repo_quota" => $"Too many users running {RepoX}! Try again soon.",
            "pod_quota" => "Too many users on this BinderHub! Try again soon.",
            _ => null,
        }, decision.Message);
        Assert.All(hub.Calls, c =>
        {
            Assert.StartsWith("users?state=active&", c.PathAndQuery, StringComparison.Ordinal);
            Assert.Equal("application/jupyterhub-pagination+json", c.Accept);
        });
        Assert.Equal(2, hub.Calls.Count);
    }

    [Fact]
    public async Task Check_HubWithoutPagination_ReadsThePlainList()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (_, ctx) => FakeHub.Reply(ctx, 200,
            """[{"name": "a", "servers": {"": {"name": "", "user_options": {"image": "r2d-x:1"}}}}]""");
        await using var backend = FakeHubBackend.For(hub);

        var decision = await backend.Quota.CheckAsync(new QuotaRequest("r2d-x:2", RepoX, 1), Timeout());

        Assert.Equal("repo_quota", decision.Reason);
        Assert.Single(hub.Calls);
    }

    [Fact]
    public async Task Check_NoQuotaConfigured_DoesNotAskTheHub()
    {
        await using var hub = await FakeHub.StartAsync();
        await using var backend = FakeHubBackend.For(hub);

        var decision = await backend.Quota.CheckAsync(new QuotaRequest("r2d-x:2", RepoX, 0), Timeout());

        Assert.True(decision.Allowed);
        Assert.Empty(hub.Calls);
    }

    [Fact]
    public async Task Check_HubCannotList_AllowsTheLaunch()
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (_, ctx) => FakeHub.Reply(ctx, 500, """{"status": 500, "message": "boom"}""");
        await using var backend = FakeHubBackend.For(hub, Total(1));

        var decision = await backend.Quota.CheckAsync(new QuotaRequest("r2d-x:2", RepoX, 1), Timeout());

        Assert.True(decision.Allowed);
        Assert.Single(hub.Calls);
    }

    [Theory]
    [InlineData("4", true)]
    [InlineData("3", false)]
    [InlineData(null, true)]
    public async Task Health_PodQuotaItem_ReportsServersAndNeverFailsHealth(string? total, bool ok)
    {
        await using var hub = await FakeHub.StartAsync();
        hub.Handle = (call, ctx) => FakeHub.Reply(ctx, 200, call.PathAndQuery.Contains("offset=2", StringComparison.Ordinal) ? Page2 : Page1);
        await using var backend = FakeHubBackend.For(hub, new Dictionary<string, string?> { ["Quota:Total"] = total });

        var item = await backend.Services.GetServices<IBinderHealthCheck>().Single(c => c is LaunchQuotaHealthCheck).CheckAsync(Timeout());

        Assert.Equal("Pod quota", item.Service);
        Assert.Equal(ok, item.Ok);
        Assert.True(item.IgnoreFailure);
        Assert.Equal(4, item.Details!["user_pods"]);
        Assert.Equal(0, item.Details["build_pods"]);
        Assert.Equal(4, item.Details["total_pods"]);
        Assert.Equal(total is null ? null : int.Parse(total, System.Globalization.CultureInfo.InvariantCulture), item.Details["quota"]);
    }

    private static Dictionary<string, string?> Total(int? total) =>
        new() { ["Quota:Total"] = total?.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
