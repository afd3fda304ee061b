using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.GitLab;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.Tests.Providers;

public sealed class GitLabRepoProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private FakeGitLabServer _gitlab = null!;

    public async Task InitializeAsync() => _gitlab = await FakeGitLabServer.StartAsync();

    public async Task DisposeAsync() => await _gitlab.DisposeAsync();

    private GitLabRepoProvider Provider(Action<GitLabProviderOptions>? configure = null)
    {
        var options = new GitLabProviderOptions { ApiBaseUrl = _gitlab.BaseUri.ToString() };
        configure?.Invoke(options);
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new GitLabRepoProvider(Microsoft.Extensions.Options.Options.Create(options), http, TimeProvider.System, NullLogger<GitLabRepoProvider>.Instance);
    }

    private static async Task<ResolveResult.Resolved> ResolvedAsync(IRepoProvider provider, string spec) =>
        Assert.IsType<ResolveResult.Resolved>(await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

    private static async Task<ResolveResult.Failed> FailedAsync(IRepoProvider provider, string spec) =>
        Assert.IsType<ResolveResult.Failed>(await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

    [Fact]
    public async Task NestedNamespace_ResolvesToItsCommit_WithBinderHubNames()
    {
        var sha = _gitlab.SetRef("group/sub-group/my-repo", "main");

        var (repo, notice) = await ResolvedAsync(Provider(), "group%2Fsub-group%2Fmy-repo/main");

        Assert.Null(notice);
        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("https://gitlab.com/group/sub-group/my-repo.git", repo.RepoUrl);
        Assert.Equal($"https://gitlab.com/group/sub-group/my-repo/tree/{sha}", repo.RefUrl);
        Assert.Equal($"group%2Fsub-group%2Fmy-repo/{sha}", repo.ResolvedSpec);
        Assert.Equal("group-sub_-group-my_-repo", repo.BuildSlug);
        Assert.Equal("main", repo.UnresolvedRef);
        Assert.Null(repo.GitCredentials);
        // The API gets the whole project path as one escaped segment.
        Assert.Equal("/api/v4/projects/group%2Fsub-group%2Fmy-repo/repository/commits/main", Assert.Single(_gitlab.Requests).RawTarget);
    }

    [Fact]
    public void Slug_KeepsDashedPartsApart_InTheImageName()
    {
        Assert.True(GitLabSpec.TryParse("a-b%2Fc/HEAD", out var dashed, out _));
        Assert.True(GitLabSpec.TryParse("a%2Fb-c/HEAD", out var other, out _));

        Assert.Equal("a_-b-c", dashed.BuildSlug);
        Assert.Equal("a-b_-c", other.BuildSlug);
        Assert.NotEqual(ImageNaming.ImageName("", dashed.BuildSlug, "x"), ImageNaming.ImageName("", other.BuildSlug, "x"));
    }

    [Fact]
    public async Task RefWithSlash_IsEscapedIntoOneSegment()
    {
        var sha = _gitlab.SetRef("g/p", "feature/x");

        var (repo, _) = await ResolvedAsync(Provider(), "g%2Fp/feature/x");

        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("feature/x", repo.UnresolvedRef);
        Assert.EndsWith("/repository/commits/feature%2Fx", Assert.Single(_gitlab.Requests).RawTarget);
    }

    [Fact]
    public async Task MissingRef_FailsNotFound_WithBinderHubsMessage()
    {
        _gitlab.SetRef("g/p", "main");

        var failed = await FailedAsync(Provider(), "g%2Fp/nope");

        Assert.Equal(404, failed.StatusCode);
        Assert.Equal("Could not resolve ref for gl:g%2Fp/nope. Double check your URL and that your repo is public.", failed.Message);
    }

    [Fact]
    public async Task PrivateProject_IsFoundWithThePrivateToken_WhichAlsoBecomesGitCredentials()
    {
        _gitlab.ValidPrivateToken = "glpat-secret";
        var sha = _gitlab.SetRef("team/private", "HEAD", isPrivate: true);

        var without = await FailedAsync(Provider(), "team%2Fprivate/HEAD");
        var (repo, _) = await ResolvedAsync(Provider(o => o.PrivateToken = "glpat-secret"), "team%2Fprivate/HEAD");

        Assert.Equal(404, without.StatusCode);
        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("username=binderhub\\npassword=glpat-secret", repo.GitCredentials);
        var sent = _gitlab.Requests.Last();
        Assert.Equal("glpat-secret", sent.PrivateToken);
        Assert.StartsWith("BinderHub", sent.UserAgent);
        Assert.DoesNotContain("token", sent.RawTarget, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AccessToken_IsSentAsBearer_AndGivesNoGitCredentials()
    {
        _gitlab.SetRef("g/p", "main");

        var (repo, _) = await ResolvedAsync(Provider(o => o.AccessToken = "oauth-tok"), "g%2Fp/main");

        Assert.Equal("Bearer oauth-tok", Assert.Single(_gitlab.Requests).Authorization);
        Assert.Null(repo.GitCredentials);
    }

    [Theory]
    [InlineData("g%2Fp")]
    [InlineData("g%2Fp/")]
    [InlineData("/main")]
    [InlineData("justproject/main")]
    [InlineData("g%2F..%2Fp/main")]
    [InlineData("g%2Fp%3Fx/main")]
    [InlineData("g%2F%2Fp/main")]
    public async Task MalformedSpec_IsRefusedBeforeAnyRequest(string spec)
    {
        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(400, failed.StatusCode);
        Assert.Empty(_gitlab.Requests);
    }

    [Fact]
    public async Task SelfHostedHostname_NamesItsOwnUrls_AndApiDefaultsToIt()
    {
        var sha = _gitlab.SetRef("g/p", "main");

        var (repo, _) = await ResolvedAsync(Provider(o => o.Hostname = "gitlab.example.org"), "g%2Fp/main");

        Assert.Equal("https://gitlab.example.org/g/p.git", repo.RepoUrl);
        Assert.Equal($"https://gitlab.example.org/g/p/tree/{sha}", repo.RefUrl);
        Assert.Equal("https://gitlab.example.org", new GitLabProviderOptions { Hostname = "gitlab.example.org" }.EffectiveApiBaseUrl);
    }

    [Fact]
    public void DisplayConfig_IsBinderHubs()
    {
        var config = Provider().DisplayConfig;

        Assert.Equal("gl", config.Id);
        Assert.Equal("GitLab.com", config.DisplayName);
        Assert.Equal("[^/]+/.+", config.Spec.ValidateRegex);
        Assert.True(config.Repo.UrlEncode);
        Assert.Equal("HEAD", config.Ref.Default);
        var match = System.Text.RegularExpressions.Regex.Match("https://gitlab.com/group/sub/repo", config.Detect!.Regex);
        Assert.Equal("group/sub/repo", match.Groups["repo"].Value);
    }
}
