using BinderOrleans.Core.Health;
using BinderOrleans.Core.Launches;
using BinderOrleans.JupyterHub.Health;
using BinderOrleans.JupyterHub.Launches;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using BinderOrleans.JupyterHub;

namespace BinderOrleans.Tests.JupyterHub;

public sealed class JupyterHubOptionsTests
{
    [Fact]
    public void Validate_MissingUrlAndToken_MessagesNameTheKeys()
    {
        var result = new JupyterHubOptionsValidator().Validate(null, new JupyterHubOptions());

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("JupyterHub:Url ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("JupyterHub:ApiToken (JUPYTERHUB_API_TOKEN) ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadValues_EachNamed()
    {
        var result = new JupyterHubOptionsValidator().Validate(null, new JupyterHubOptions
        {
            Url = "https://hub.example.org",
            ApiUrl = "hub:8081",
            ApiToken = "t",
            Retries = 0,
            RetryDelay = TimeSpan.FromSeconds(-1),
            LaunchTimeout = TimeSpan.Zero,
            NamedServerLimitPerUser = -1,
        });

        Assert.Equal(
            ["JupyterHub:ApiUrl", "JupyterHub:Retries", "JupyterHub:RetryDelay", "JupyterHub:LaunchTimeout", "JupyterHub:NamedServerLimitPerUser"],
            result.Failures!.Select(f => f.Split(' ')[0]));
    }

    [Fact]
    public void ApiUri_DefaultsToPublicUrlHubApi_AndBothGetATrailingSlash()
    {
        var options = new JupyterHubOptions { Url = "https://hub.example.org/prefix" };
        Assert.Equal("https://hub.example.org/prefix/", options.PublicUri.AbsoluteUri);
        Assert.Equal("https://hub.example.org/prefix/hub/api/", options.ApiUri.AbsoluteUri);

        options.ApiUrl = "http://hub:8081/hub/api";
        Assert.Equal("http://hub:8081/hub/api/", options.ApiUri.AbsoluteUri);
    }

    [Fact]
    public async Task Server_JupyterHubBackendWithoutToken_RefusesToStartNamingTheKey()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Launch:Backend"] = "jupyterhub",
            ["JupyterHub:Url"] = "http://127.0.0.1:9/",
        }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("JupyterHub:ApiToken (JUPYTERHUB_API_TOKEN) must be set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_JupyterHubBackend_HubLauncherQuotaAndHealthItemsAreRegistered()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Launch:Backend"] = "jupyterhub",
            ["JupyterHub:Url"] = "http://127.0.0.1:9/",
            ["JupyterHub:ApiToken"] = "t",
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<JupyterHubLauncher>(server.Services.GetRequiredService<ILauncher>());
        Assert.IsType<LaunchQuota>(server.Services.GetRequiredService<ILaunchQuota>());
        Assert.IsType<JupyterHubRunningServers>(server.Services.GetRequiredService<IRunningServers>());
        var health = server.Services.GetServices<IBinderHealthCheck>().ToList();
        Assert.Single(health, h => h is JupyterHubHealthCheck);
        Assert.Single(health, h => h is LaunchQuotaHealthCheck);
    }
}
