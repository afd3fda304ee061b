using BinderOrleans.Core.Options;
using BinderOrleans.Core.Sessions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Sessions;

public sealed class SessionKeysTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-test";

    private static SessionKeys Keys(string secret = Secret) => new(Options.Create(new SiteOptions { SessionSecret = secret }));

    [Fact]
    public void IssuedKey_IsOurs_OnEveryReplicaWithTheSameSecret()
    {
        var key = Keys().NewKey();

        Assert.Equal(SessionKeys.KeyLength, key.Length);
        Assert.True(Keys().IsOurs(key));
        Assert.False(Keys(Secret + "-other").IsOurs(key));
    }

    [Fact]
    public void KeyAClientMadeUp_IsNotOurs()
    {
        var keys = Keys();
        var key = keys.NewKey();
        var flipped = key[..^1] + (key[^1] == '0' ? '1' : '0');

        Assert.False(keys.IsOurs(flipped));
        Assert.False(keys.IsOurs(key.ToUpperInvariant()));
        Assert.False(keys.IsOurs(key[..32]));
        Assert.False(keys.IsOurs(key + "00"));
        Assert.False(keys.IsOurs(""));
        Assert.False(keys.IsOurs(new string('g', SessionKeys.KeyLength)));
    }

    [Fact]
    public void WithoutASecret_OneProcessMakesItsOwn()
    {
        var (a, b) = (Keys(""), Keys(""));

        Assert.True(a.IsOurs(a.NewKey()));
        Assert.False(b.IsOurs(a.NewKey()));
    }
}
