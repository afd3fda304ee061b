using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class RegistryAuthTests
{
    [Fact]
    public void For_Password_UserPasswordAndServerAddress()
    {
        var endpoint = RegistryEndpoint.Resolve(new RegistryOptions { Url = "http://127.0.0.1:5000", Username = "u", Password = "p?>~" }, DockerConfigFile.Empty);

        var auth = RegistryAuth.For(endpoint);

        Assert.Equal(("u", "p?>~", "127.0.0.1:5000", null), (auth.Username, auth.Password, auth.ServerAddress, auth.IdentityToken));
    }

    [Fact]
    public void For_IdentityToken_TokenAndServerAddress()
    {
        var config = DockerConfigFile.Parse("""{"auths": {"registry.example.org": {"identitytoken": "refresh"}}}""");

        var auth = RegistryAuth.For(RegistryEndpoint.Resolve(new RegistryOptions(), config));

        Assert.Equal(("refresh", "registry.example.org", null), (auth.IdentityToken, auth.ServerAddress, auth.Username));
    }

    [Fact]
    public void For_NoCredentials_Empty()
    {
        var auth = RegistryAuth.For(RegistryEndpoint.Resolve(new RegistryOptions { Url = "http://127.0.0.1:5000" }, DockerConfigFile.Empty));

        Assert.Equal((null, null, null, null), (auth.Username, auth.Password, auth.ServerAddress, auth.IdentityToken));
    }
}
