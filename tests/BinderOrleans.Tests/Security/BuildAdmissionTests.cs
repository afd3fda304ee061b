using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers;
using BinderOrleans.Server.Security;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Security;

public sealed class BuildAdmissionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static Task<RunningServer> StartAsync(Dictionary<string, string?> settings) => FakeBackends.StartServerAsync(settings);

    [Fact]
    public async Task RateLimit_RefusesTheRequestPastTheLimit_WithHeadersAnd429()
    {
        await using var server = await StartAsync(new() { ["Security:RateLimit"] = "2" });
        for (var i = 0; i < 2; i++)
        {
            var ok = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", Timeout);
            Assert.Equal(BinderPhase.Ready, ok[^1].Event.Phase);
        }
        using var response = await SseClient.OpenAsync(server.Client, "build/fake/a/b/HEAD");
        Assert.Equal("0", response.Headers.GetValues("x-ratelimit-remaining").Single());
        Assert.Equal("2", response.Headers.GetValues("x-ratelimit-limit").Single());
        var events = await SseClient.ReadAsync(response).ToListAsync();
        var failed = Assert.Single(events).Event;
        Assert.Equal(429, failed.StatusCode);
        Assert.StartsWith("Rate limit exceeded. Try again in ", failed.Message);
    }

    [Fact]
    public async Task ValidBuildToken_IsExemptFromTheRateLimit()
    {
        await using var server = await StartAsync(new() { ["Security:RateLimit"] = "1" });
        var tokens = server.Services.GetRequiredService<BuildTokens>();
        var token = tokens.Mint("fake", "a/b/HEAD", server.BaseUri.Authority);
        for (var i = 0; i < 3; i++)
        {
            var events = await SseClient.ReadBuildAsync(server.Client, $"build/fake/a/b/HEAD?build_token={token}", Timeout);
            Assert.Equal(BinderPhase.Ready, events[^1].Event.Phase);
        }
    }

    [Theory]
    [InlineData("fake", "other/repo/HEAD", null, "Invalid build token")]
    [InlineData("fake", "a/b/HEAD", "elsewhere.example:443", "Invalid build token: it was issued for another origin")]
    public async Task BadBuildToken_IsRefusedWith403(string provider, string spec, string? origin, string message)
    {
        await using var server = await StartAsync(new() { ["Security:RateLimit"] = "0" });
        var token = server.Services.GetRequiredService<BuildTokens>().Mint(provider, spec, origin ?? server.BaseUri.Authority);
        var events = await SseClient.ReadBuildAsync(server.Client, $"build/fake/a/b/HEAD?build_token={token}", Timeout);
        var failed = Assert.Single(events).Event;
        Assert.Equal(403, failed.StatusCode);
        Assert.Equal(message + "\n", failed.Message);
    }

    [Fact]
    public async Task BannedNetwork_GetsAFailedEvent_ButHealthAndVersionsStillAnswer()
    {
        await using var server = await StartAsync(new() { ["Security:BanNetworks:127.0.0.0/8"] = "loopback testers" });
        var events = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", Timeout);
        var failed = Assert.Single(events).Event;
        Assert.Equal(403, failed.StatusCode);
        Assert.Equal("Requests from loopback testers are not allowed\n", failed.Message);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await server.Client.GetAsync("metrics")).StatusCode);
        Assert.True((await server.Client.GetAsync("versions")).IsSuccessStatusCode);
        Assert.True((await server.Client.GetAsync("health")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task ReconnectWithLastEventId_DoesNotCountAgainstTheRateLimit()
    {
        await using var server = await StartAsync(new() { ["Security:RateLimit"] = "1" });
        var events = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", Timeout);
        using var again = await SseClient.OpenAsync(server.Client, "build/fake/a/b/HEAD", lastEventId: events[^1].Id);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, again.StatusCode);
    }
}
