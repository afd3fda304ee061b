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
}
