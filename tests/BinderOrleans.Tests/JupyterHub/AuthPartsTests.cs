using System.Security.Cryptography;
using System.Text;
using BinderOrleans.JupyterHub.Auth;

namespace BinderOrleans.Tests.JupyterHub;

/// <summary>The hub login's pure parts: the callback path, BinderHub's scope rule, the hub's user model, the cookie key.</summary>
public sealed class AuthPartsTests
{
    [Theory]
    [InlineData("oauth_callback", "/", "/oauth_callback")]
    [InlineData("https://binder.example.org/oauth_callback", "/", "/oauth_callback")]
    [InlineData("/services/binder/oauth_callback", "/services/binder/", "/oauth_callback")]
    [InlineData("https://hub.example.org/services/binder/oauth_callback?x=1", "/services/binder", "/oauth_callback")]
    [InlineData("/elsewhere/oauth_callback", "/services/binder/", "/elsewhere/oauth_callback")]
    public void CallbackPath_IsTheRegisteredPathBelowTheBaseUrl(string registered, string baseUrl, string expected) =>
        Assert.Equal(expected, HubAuthServiceCollectionExtensions.CallbackPath(registered, baseUrl));

    [Theory]
    [InlineData(new[] { "access:services!service=binder" }, true)]
    [InlineData(new[] { "read:users:name!user=a", "access:services" }, true)]
    [InlineData(new[] { "access:services!service=other" }, false)]
    [InlineData(new[] { "access:servers!user=a", "read:users!user=a" }, false)]
    [InlineData(new string[0], false)]
    public void Scopes_AsBinderHubChecksThem(string[] held, bool granted) =>
        Assert.Equal(granted, HubScopes.Grants(held, ["access:services!service=binder"]));

    [Fact]
    public void UserModel_NameScopesAdmin()
    {
        var user = HubIdentity.Parse("""{"kind": "user", "name": "ada", "admin": true, "scopes": ["access:services!service=binder", "read:users!user=ada"]}""");

        Assert.NotNull(user);
        Assert.Equal("ada", user.Name);
        Assert.True(user.Admin);
        Assert.Equal(["access:services!service=binder", "read:users!user=ada"], user.Scopes);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"scopes\": []}")]
    [InlineData("not json")]
    public void UserModel_WithoutAName_IsNoUser(string body) => Assert.Null(HubIdentity.Parse(body));

    [Fact]
    public void CookieKey_SameSecretReads_OtherSecretOrPurposeDoesNot()
    {
        var data = Encoding.UTF8.GetBytes("ticket of ada");
        var protector = new ShareableProtection("token-1").CreateProtector("cookie");

        var sealedData = protector.Protect(data);

        Assert.Equal(data, new ShareableProtection("token-1").CreateProtector("cookie").Unprotect(sealedData));
        Assert.ThrowsAny<CryptographicException>(() => new ShareableProtection("token-2").CreateProtector("cookie").Unprotect(sealedData));
        Assert.ThrowsAny<CryptographicException>(() => new ShareableProtection("token-1").CreateProtector("state").Unprotect(sealedData));
    }
}
