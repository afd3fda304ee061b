using System.Net;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Grains;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Cors;

/// <summary><c>Binder:CorsAllowOrigin</c> on the real server: BinderHub's headers on the API routes, preflights answered.</summary>
public sealed class CorsTests
{
    private const string Origin = "http://127.0.0.2:8123";

    private static readonly string[] ApiPaths = ["build/fake/a/b/HEAD", "api/repoproviders", "health", "versions"];

    [Fact]
    public async Task Configured_ApiRoutesCarryAllowOriginAndAllowHeaders()
    {
        await using var server = await FakeBackends.StartServerAsync(new() { ["Binder:CorsAllowOrigin"] = Origin });

        foreach (var path in ApiPaths)
        {
            using var response = await SendAsync(server, HttpMethod.Get, path);
            Assert.Equal(Origin, Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal("cache-control", Header(response, "Access-Control-Allow-Headers"));
        }
    }

    [Fact]
    public async Task Configured_PreflightOnApiRoutes_Answers204()
    {
        await using var server = await FakeBackends.StartServerAsync(new() { ["Binder:CorsAllowOrigin"] = Origin });

        foreach (var path in ApiPaths)
        {
            using var response = await SendAsync(server, HttpMethod.Options, path, preflight: true);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(Origin, Header(response, "Access-Control-Allow-Origin"));
            Assert.Equal("cache-control", Header(response, "Access-Control-Allow-Headers"));
            Assert.Contains("GET", Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Configured_PagesGetNoCorsHeaders()
    {
        await using var server = await FakeBackends.StartServerAsync(new() { ["Binder:CorsAllowOrigin"] = Origin });

        using var response = await SendAsync(server, HttpMethod.Get, "about");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Unset_NoCorsOnBuild_VersionsStaysOpen_PreflightIsNotAnswered()
    {
        await using var server = await FakeBackends.StartServerAsync();

        using var build = await SendAsync(server, HttpMethod.Get, "build/fake/a/b/HEAD");
        Assert.Null(Header(build, "Access-Control-Allow-Origin"));
        using var versions = await SendAsync(server, HttpMethod.Get, "versions");
        Assert.Equal("*", Header(versions, "Access-Control-Allow-Origin"));
        using var preflight = await SendAsync(server, HttpMethod.Options, "build/fake/a/b/HEAD", preflight: true);
        Assert.NotEqual(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Null(Header(preflight, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("https://book.example.org/")]
    [InlineData("book.example.org")]
    [InlineData("https://book.example.org/path")]
    public async Task NotAnOrigin_StartFailsNamingTheKey(string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            FakeBackends.StartServerAsync(new() { ["Binder:CorsAllowOrigin"] = value }).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("Binder:CorsAllowOrigin", error.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(RunningServer server, HttpMethod method, string path, bool preflight = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", Origin);
        request.Headers.Add("Accept", "text/event-stream");
        if (preflight)
        {
            request.Headers.Add("Access-Control-Request-Method", "GET");
            request.Headers.Add("Access-Control-Request-Headers", "cache-control");
        }
        // Headers only: the build stream's body is not needed.
        return await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
