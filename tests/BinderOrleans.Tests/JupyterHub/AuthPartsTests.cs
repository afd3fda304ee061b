using System.Security.Cryptography;
using System.Text;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Sessions;
using BinderOrleans.JupyterHub.Auth;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.JupyterHub;

/// <summary>
/// The hub login's pure parts: the callback path, BinderHub's scope rule, the hub's user model, the cookie key, session ids
/// with their owner, and a user's repository credentials (where in auth_state, never in text, the rules' checks).
/// </summary>
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

    [Fact]
    public void SessionKey_OfALoggedInUser_IsOursButOwnedOnlyByThem()
    {
        var keys = new SessionKeys(Options.Create(new SiteOptions { SessionSecret = "a-secret-every-replica-holds-0123456789" }));
        var alices = keys.NewKey("alice");
        var anonymous = keys.NewKey();

        Assert.Equal(SessionKeys.OwnedKeyLength, alices.Length);
        Assert.True(keys.IsOurs(alices));
        Assert.True(keys.IsOwnedBy(alices, "alice"));
        Assert.False(keys.IsOwnedBy(alices, "bob"));
        Assert.False(keys.IsOwnedBy(alices, null));
        Assert.False(keys.IsOwnedBy(anonymous, "alice"));
        Assert.True(keys.IsOwnedBy(anonymous, null));
        // Bob cannot make Alice's session his: without her tag, or with a tag of his own making, it is still not his.
        Assert.False(keys.IsOwnedBy(alices[..SessionKeys.KeyLength], "bob"));
        Assert.False(keys.IsOwnedBy(alices[..(SessionKeys.KeyLength + 1)] + new string('0', 24), "bob"));
        Assert.False(keys.IsOurs(alices[..SessionKeys.KeyLength] + "-" + new string('g', 24)));
        Assert.False(new SessionKeys(Options.Create(new SiteOptions { SessionSecret = "another-secret-0123456789" })).IsOurs(alices));
    }

    [Theory]
    [InlineData("access_token", "gho_abc")]
    [InlineData("token_response.access_token", "nested")]
    [InlineData("missing", null)]
    [InlineData("count", null)]
    public void AuthState_TokenAtAKeyOrDottedPath(string path, string? expected)
    {
        var state = (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(
            """{"access_token": "gho_abc", "count": 3, "token_response": {"access_token": "nested"}}""")!;

        Assert.Equal(expected, HubAuthStateCredentials.Lookup(state, path));
    }

    [Fact]
    public void RepoCredential_NeverInText_AndNoLinesInjected()
    {
        var credential = RepoCredential.TryCreate("oauth2", @"to\ken")!;

        Assert.Equal(@"username=oauth2\npassword=to\\ken", credential.HelperText);
        Assert.DoesNotContain("to", credential.ToString().Replace("oauth2", ""));
        Assert.Null(RepoCredential.TryCreate("oauth2", "tok\nhost=evil"));
        Assert.Null(RepoCredential.TryCreate("oauth2", ""));
        var request = new BuildRequest("img:1", "build-x", "https://h/r", "abc", "git", credential.HelperText);
        Assert.DoesNotContain("ken", request.ToString());
        Assert.Contains("GitCredentials = ***", request.ToString());
    }

    [Fact]
    public void RepoCredentialRules_AreValidated_NamingTheKey()
    {
        var options = new HubAuthOptions
        {
            RepoCredentials = [new() { UrlPrefix = "https://github.com" }, new() { UrlPrefix = "https://gitlab.example.org/", AuthStateKey = "" }],
        };

        var result = new HubAuthOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("JupyterHub:Auth:RepoCredentials:0:UrlPrefix", result.FailureMessage);
        Assert.Contains("JupyterHub:Auth:RepoCredentials:1:AuthStateKey", result.FailureMessage);
        Assert.True(new HubAuthOptionsValidator().Validate(null, new HubAuthOptions { RepoCredentials = [new() { UrlPrefix = "https://github.com/" }] }).Succeeded);
    }

    [Fact]
    public void BuildLogId_OfAPrivateBuild_Carries128RandomBits()
    {
        var now = DateTimeOffset.UnixEpoch;
        var shared = BuildLogIds.New("build-x", now);
        var secret = BuildLogIds.New("build-x", now, secret: true);

        Assert.Equal(8, shared.Split('-')[^1].Length);
        Assert.Equal(32, secret.Split('-')[^1].Length);
        Assert.True(BuildLogIds.IsValid(secret));
    }
}
