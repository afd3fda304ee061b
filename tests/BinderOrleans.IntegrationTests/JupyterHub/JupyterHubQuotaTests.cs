using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>Quotas counted from the real hub's running servers (their <c>user_options.image</c>).</summary>
[Collection(JupyterHubCollection.Name)]
public sealed class JupyterHubQuotaTests(JupyterHubFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private HubProcess Hub => fixture.Hub;

    [Fact]
    public async Task RepoQuotaOne_SecondLaunchOfRepoRefused_OtherRepoStillLaunches()
    {
        // Two names for the base image, so these servers are told apart from other tests' servers.
        var imageA = $"binderorleans-test-jh-{Hub.RunId}-quota-a:1111";
        var imageB = $"binderorleans-test-jh-{Hub.RunId}-quota-b:2222";
        foreach (var image in new[] { imageA, imageB }) Assert.Equal(0, (await Cli.DockerAsync(["tag", HubProcess.Image, image])).ExitCode);
        var repoA = $"https://example.org/tests/quota-a-{Hub.RunId}";
        var repoB = $"https://example.org/tests/quota-b-{Hub.RunId}";
        var users = new List<string>();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await using var backend = HubBackend.For(Hub);
            Assert.True((await backend.Quota.CheckAsync(new QuotaRequest(imageA, repoA, 1), cts.Token)).Allowed);
            users.Add(UserOf(await LaunchReadyAsync(backend, repoA, imageA)));

            // Another tag of the same image name is the same repository.
            var refused = await backend.Quota.CheckAsync(new QuotaRequest(imageA.Replace(":1111", ":3333", StringComparison.Ordinal), repoA, 1), cts.Token);
            Assert.False(refused.Allowed);
            Assert.Equal($"Too many users running {repoA}! Try again soon.", refused.Message);
            Assert.Equal("repo_quota", refused.Reason);
            Assert.True((await backend.Quota.CheckAsync(new QuotaRequest(imageA, repoA, 2), cts.Token)).Allowed);
            Assert.True((await backend.Quota.CheckAsync(new QuotaRequest(imageA, repoA, 0), cts.Token)).Allowed);

            Assert.True((await backend.Quota.CheckAsync(new QuotaRequest(imageB, repoB, 1), cts.Token)).Allowed);
            users.Add(UserOf(await LaunchReadyAsync(backend, repoB, imageB)));

            // The total counts every running server of the hub: these two reach a total of 2.
            await using var full = HubBackend.For(Hub, new Dictionary<string, string?> { ["Quota:Total"] = "2" });
            var total = await full.Quota.CheckAsync(new QuotaRequest(imageB, repoB, 0), cts.Token);
            Assert.False(total.Allowed);
            Assert.Equal("Too many users on this BinderHub! Try again soon.", total.Message);
            Assert.Equal("pod_quota", total.Reason);
            await using var roomy = HubBackend.For(Hub, new Dictionary<string, string?> { ["Quota:Total"] = "100" });
            Assert.True((await roomy.Quota.CheckAsync(new QuotaRequest(imageB, repoB, 0), cts.Token)).Allowed);
            await using var closed = HubBackend.For(Hub, new Dictionary<string, string?> { ["Quota:Total"] = "0" });
            Assert.False((await closed.Quota.CheckAsync(new QuotaRequest(imageB, repoB, 0), cts.Token)).Allowed);
        }
        finally
        {
            foreach (var user in users) await Hub.DeleteUserAsync(user);
            foreach (var image in new[] { imageA, imageB }) await Cli.DockerAsync(["rmi", "--", image]);
        }
    }

    private static async Task<BinderEvent> LaunchReadyAsync(HubBackend backend, string repo, string image)
    {
        var events = await backend.LaunchAsync(HubBackend.Request(repo, image), Timeout);
        Assert.True(events[^1].Phase == BinderPhase.Ready, string.Join(" | ", events.Select(BinderEventJson.Serialize)));
        return events[^1];
    }

    private string UserOf(BinderEvent ready) => ready.Url![(Hub.PublicUrl.AbsoluteUri.Length + "user/".Length)..^1];
}
