using System.Net.Http.Headers;
using BinderOrleans.Registry;

namespace BinderOrleans.Tests.Registry;

public sealed class BearerChallengeTests
{
    [Fact]
    public void TryParse_RegistryChallenge_ReadsRealmServiceAndScope()
    {
        var ok = BearerChallenge.TryParse(
            "realm=\"https://auth.example.org/token\",service=\"registry.example.org\",scope=\"repository:binder/x:pull,push\",error=\"insufficient_scope\"",
            out var challenge);

        Assert.True(ok);
        Assert.Equal(new BearerChallenge(new Uri("https://auth.example.org/token"), "registry.example.org", "repository:binder/x:pull,push"), challenge);
    }

    [Fact]
    public void TryParse_UnquotedValuesAndSpaces_AreRead()
    {
        Assert.True(BearerChallenge.TryParse("realm=http://127.0.0.1:1/token, service=svc , scope=repository:a:pull", out var challenge));
        Assert.Equal("svc", challenge!.Service);
        Assert.Equal("repository:a:pull", challenge.Scope);
    }

    [Theory]
    [InlineData("realm=\"https://a/token\",service=\"s\"")]
    [InlineData("service=\"s\",scope=\"repository:a:pull\"")]
    [InlineData("realm=\"ftp://a/token\",service=\"s\",scope=\"x\"")]
    [InlineData("")]
    public void TryParse_IncompleteChallenge_IsRejected(string parameter)
    {
        Assert.False(BearerChallenge.TryParse(parameter, out _));
    }

    [Fact]
    public void From_BasicChallengeOnly_IsNull()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Basic", "realm=\"registry\""));

        Assert.Null(BearerChallenge.From(response.Headers.WwwAuthenticate));
    }
}
