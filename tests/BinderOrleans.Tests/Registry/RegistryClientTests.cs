using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Registry;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Registry;

/// <summary>Retries, timeouts and headers, against a scripted registry on loopback.</summary>
public sealed class RegistryClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static ServiceProvider Services(FakeRegistryServer server, string timeout = "00:00:05", string? prefix = null, ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:Enabled"] = "true",
            ["Registry:Url"] = server.Url.ToString(),
            ["Registry:DockerConfig"] = "/nonexistent/binder-test",
            ["Registry:RetryDelay"] = "00:00:00",
            ["Registry:Timeout"] = timeout,
            ["Binder:ImagePrefix"] = prefix ?? $"{server.Host}/binder/",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging =>
        {
            if (logs is not null) logging.AddProvider(logs);
        });
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section);
        services.AddRegistryImages().AddSingleton(sp => sp.GetRequiredKeyedService<IImageRegistry>(ImageSource.Registry));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static async Task<ImageLookup> LookupAsync(FakeRegistryServer server, string timeout = "00:00:05")
    {
        await using var services = Services(server, timeout);
        return await services.GetRequiredService<IImageRegistry>().LookupAsync($"{server.Host}/binder/repo-abc:1234", CancellationToken.None).WaitAsync(Timeout);
    }

    private static Func<int, HttpContext, Task> Statuses(params int[] statuses) => (n, context) =>
    {
        context.Response.StatusCode = statuses[Math.Min(n, statuses.Length) - 1];
        return Task.CompletedTask;
    };

    [Fact]
    public async Task Lookup_TwoServerErrorsThenFound_IsFoundOnTheThirdAttempt()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        server.Respond = Statuses(503, 500, 200);

        var lookup = await LookupAsync(server);

        Assert.Equal(ImageLookup.Found, lookup);
        Assert.Equal(3, server.Calls);
    }

    [Fact]
    public async Task Lookup_ServerErrorsThrice_FailsWithStatusAfterThreeAttempts()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        server.Respond = Statuses(503);

        var lookup = await LookupAsync(server);

        Assert.False(lookup.Exists);
        Assert.Contains("503", lookup.Error);
        Assert.Contains(server.Url.ToString().TrimEnd('/'), lookup.Error);
        Assert.Equal(3, server.Calls);
    }

    [Fact]
    public async Task Lookup_ServerErrorsThrice_LogsEachRetryWithTheImage_AndSaysItGaveUp()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        server.Respond = Statuses(503);
        var logs = new CapturingLoggerProvider();
        await using var services = Services(server, logs: logs);

        var lookup = await services.GetRequiredService<IImageRegistry>().LookupAsync($"{server.Host}/binder/repo-abc:1234", CancellationToken.None).WaitAsync(Timeout);

        Assert.EndsWith("(gave up after 3 attempts)", lookup.Error);
        Assert.Equal(2, logs.Lines.Count(l => l.Contains("Lookup of binder/repo-abc:1234 failed", StringComparison.Ordinal) && l.Contains("retrying", StringComparison.Ordinal)));
        Assert.Contains(logs.Lines, l => l.Contains("(attempt 2 of 3)", StringComparison.Ordinal) && l.Contains("HTTP 503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lookup_Forbidden_IsNotRetried()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        server.Respond = Statuses(403);

        var lookup = await LookupAsync(server);

        Assert.Contains("403", lookup.Error);
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task Lookup_RegistryHangs_TimesOutAndRetries()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        server.Respond = async (n, context) =>
        {
            if (n < 3) await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            context.Response.StatusCode = 404;
        };

        var lookup = await LookupAsync(server, timeout: "00:00:02");

        Assert.True(lookup == ImageLookup.Missing, $"{lookup} after {server.Calls} calls");
        Assert.Equal(3, server.Calls);
    }

    [Fact]
    public async Task Lookup_SendsManifestPathAndAllFourManifestTypes()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        server.Respond = Statuses(200);

        await LookupAsync(server);

        var (path, accept) = Assert.Single(server.Requests);
        Assert.Equal("/v2/binder/repo-abc/manifests/1234", path);
        foreach (var type in (string[])[
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json"])
        {
            Assert.Contains(type, accept);
        }
    }

    [Fact]
    public async Task Options_EnabledWithoutImagePrefix_FailNamingTheKey()
    {
        await using var server = await FakeRegistryServer.StartAsync();
        await using var services = Services(server, prefix: "");

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RegistryOptions>>().Value);

        Assert.Contains("Binder:ImagePrefix", ex.Message);
    }
}
