using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;

namespace BinderOrleans.Tests.Providers;

public sealed class SpecRulesTests
{
    private static readonly SiteOptions Site = new() { PerRepoQuota = 10, PerRepoQuotaHigher = 50 };

    [Theory]
    [InlineData("evil/repo/main", true)]
    [InlineData("EVIL/Repo/main", true)]
    [InlineData("good/evil/main", false)]
    [InlineData("evilish/repo/main", true)]
    public void BannedSpecs_MatchAtTheStart_IgnoringCase(string spec, bool banned)
    {
        var rules = SpecRules.Create(new RepoProviderOptions { BannedSpecs = ["evil"] });

        Assert.Equal(banned, rules.IsBanned(spec));
    }

    [Fact]
    public void AllowedSpecs_BanEverythingElse_AndBannedWins()
    {
        var rules = SpecRules.Create(new RepoProviderOptions
        {
            AllowedSpecs = ["^binder-examples/"],
            BannedSpecs = ["binder-examples/secret"],
        });

        Assert.False(rules.IsBanned("binder-examples/requirements/HEAD"));
        Assert.True(rules.IsBanned("someone/else/HEAD"));
        Assert.True(rules.IsBanned("binder-examples/secret/HEAD"));
    }

    [Fact]
    public void NegativeLookahead_WhitelistsAnOrg_AsBinderHubDocuments()
    {
        var rules = SpecRules.Create(new RepoProviderOptions { BannedSpecs = ["^(?!binder-examples/).*"] });

        Assert.False(rules.IsBanned("binder-examples/r/HEAD"));
        Assert.True(rules.IsBanned("other/r/HEAD"));
    }

    [Fact]
    public void Quota_IsTheSiteQuota_HigherForHighQuotaSpecs_AndSpecConfigOverrides_LaterWinning()
    {
        var rules = SpecRules.Create(new RepoProviderOptions
        {
            HighQuotaSpecs = ["popular/"],
            SpecConfig =
            [
                new SpecConfigRule { Pattern = "popular/special", Config = new SpecConfigValues { Quota = 200 } },
                new SpecConfigRule { Pattern = "popular/special/v2", Config = new SpecConfigValues { Quota = 300 } },
                new SpecConfigRule { Pattern = "popular/", Config = new SpecConfigValues() },
            ],
        });

        Assert.Equal(10, rules.QuotaFor("plain/repo/HEAD", Site));
        Assert.Equal(50, rules.QuotaFor("popular/repo/HEAD", Site));
        Assert.Equal(200, rules.QuotaFor("POPULAR/special/HEAD", Site));
        Assert.Equal(300, rules.QuotaFor("popular/special/v2", Site));
    }

    [Theory]
    [InlineData("(unclosed", false)]
    [InlineData("a)|(b", false)]
    [InlineData("^ok/.*", true)]
    public void Check_ReportsInvalidPatterns(string pattern, bool valid)
    {
        Assert.Equal(valid, SpecRules.Check(pattern) is null);
    }

    [Fact]
    public async Task Wrapper_RefusesBannedSpecs_WithoutCallingTheProvider_AndSetsTheQuota()
    {
        var inner = CountingProvider();
        var provider = new SpecRulesProvider(inner, SpecRules.Create(new RepoProviderOptions { BannedSpecs = ["bad/"] }), Site);

        var banned = Assert.IsType<ResolveResult.Failed>(await provider.ResolveAsync("bad/repo/HEAD", CancellationToken.None));
        var ok = Assert.IsType<ResolveResult.Resolved>(await provider.ResolveAsync("good/repo/HEAD", CancellationToken.None));

        Assert.Equal(403, banned.StatusCode);
        Assert.Equal("Sorry, bad/repo/HEAD is not allowed to launch. Please contact admins for more info!", banned.Message);
        Assert.Equal(1, inner.Calls);
        Assert.Equal(10, ok.Repo.RepoQuota);
    }

    [Fact]
    public void Wrapper_CheckSpec_AsksTheProviderFirst_ThenTheBan_WithoutResolving()
    {
        var inner = CountingProvider();
        var provider = new SpecRulesProvider(inner, SpecRules.Create(new RepoProviderOptions { BannedSpecs = ["bad/", "malformed/"] }), Site);

        Assert.Equal(400, provider.CheckSpec("malformed/repo/HEAD")?.StatusCode);
        Assert.Equal(403, provider.CheckSpec("bad/repo/HEAD")?.StatusCode);
        Assert.Null(provider.CheckSpec("good/repo/HEAD"));
        Assert.Equal(0, inner.Calls);
    }

    private static FakeRepoProvider CountingProvider() => new()
    {
        Check = spec => spec.StartsWith("malformed", StringComparison.Ordinal) ? new ResolveResult.Failed("malformed", 400) : null,
    };
}
