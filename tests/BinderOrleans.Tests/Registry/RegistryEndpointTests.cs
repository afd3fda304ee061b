using System.Text;
using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class RegistryEndpointTests
{
    private static DockerConfigFile Config(string key, string user, string password) =>
        DockerConfigFile.Parse($$"""{"auths": {"{{key}}": {"auth": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))}}"} } }""");

    [Fact]
    public void Resolve_ConfiguredCredentials_WinOverDockerConfig()
    {
        var endpoint = RegistryEndpoint.Resolve(
            new RegistryOptions { Url = "http://127.0.0.1:5000", Username = "configured", Password = "pw1" },
            Config("127.0.0.1:5000", "fromfile", "pw2"));

        Assert.Equal(("configured", "pw1"), (endpoint.Username, endpoint.Password));
    }

    [Fact]
    public void Resolve_NoConfiguredCredentials_TakesTheMatchingAuthsEntry()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = "http://127.0.0.1:5000" }, Config("127.0.0.1:5000", "fromfile", "pw2"));

        Assert.Equal(("fromfile", "pw2"), (endpoint.Username, endpoint.Password));
    }

    [Fact]
    public void Resolve_NoUrl_TakesTheFirstAuthsKey()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions(), Config("registry.example.org", "u", "p"));

        Assert.Equal(new Uri("https://registry.example.org"), endpoint.Url);
        Assert.Equal("u", endpoint.Username);
    }

    [Fact]
    public void Resolve_NoUrlAnywhere_NamesTheKeyToSet()
    {
        var ex = Assert.Throws<FormatException>(() => RegistryEndpoint.Resolve(new RegistryOptions(), DockerConfigFile.Empty));

        Assert.Contains("Registry:Url", ex.Message);
    }

    [Theory]
    [InlineData("ftp://registry.example.org")]
    [InlineData("registry.example.org")]
    public void Resolve_BadUrl_NamesTheKey(string url)
    {
        var ex = Assert.Throws<FormatException>(() => RegistryEndpoint.Resolve(new RegistryOptions { Url = url }, DockerConfigFile.Empty));

        Assert.Contains("Registry:Url", ex.Message);
    }

    [Theory]
    [InlineData("https://gcr.io", "https://gcr.io/v2/token?service=gcr.io", false)]
    [InlineData("https://us.gcr.io", "https://us.gcr.io/v2/token?service=us.gcr.io", false)]
    [InlineData("https://registry-1.docker.io", "https://auth.docker.io/token?service=registry.docker.io", true)]
    [InlineData("https://registry.example.org", null, false)]
    public void Resolve_WellKnownHosts_GetBinderHubsDefaults(string url, string? tokenUrl, bool notFoundOn401)
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = url }, DockerConfigFile.Empty);

        Assert.Equal(tokenUrl, endpoint.TokenUrl?.ToString());
        Assert.Equal(notFoundOn401, endpoint.NotFoundOn401);
    }

    [Fact]
    public void Resolve_ExplicitNotFoundOn401_Wins()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = "https://registry-1.docker.io", NotFoundOn401 = false }, DockerConfigFile.Empty);

        Assert.False(endpoint.NotFoundOn401);
    }

    [Fact]
    public void ToString_NeverShowsThePassword()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = "http://127.0.0.1:5000", Username = "u", Password = "hunter2-secret" }, DockerConfigFile.Empty);

        Assert.Equal("http://127.0.0.1:5000 (user u)", endpoint.ToString());
        Assert.Equal("127.0.0.1:5000", endpoint.HostAndPort);
    }

    [Theory]
    [InlineData("https://t.example.org/token", "https://t.example.org/token?scope=repository%3Aa%2Fb%3Apull&service=container_registry")]
    [InlineData("https://t.example.org/token?service=harbor-registry", "https://t.example.org/token?service=harbor-registry&scope=repository%3Aa%2Fb%3Apull")]
    public void WithQuery_AddsOnlyMissingParameters(string url, string expected)
    {
        var result = RegistryClient.WithQuery(new Uri(url), ("scope", "repository:a/b:pull"), ("service", "container_registry"));

        Assert.Equal(expected, result.AbsoluteUri);
    }
}
