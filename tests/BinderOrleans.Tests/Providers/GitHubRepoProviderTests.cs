using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Providers;

public sealed class GitHubRepoProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeGitHubServer _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHubServer.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    private GitHubRepoProvider Provider(Action<GitHubProviderOptions>? configure = null) => _github.Provider(_time, configure);

    private static async Task<ResolveResult.Resolved> ResolvedAsync(IRepoProvider provider, string spec) =>
        Assert.IsType<ResolveResult.Resolved>(await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

    private static async Task<ResolveResult.Failed> FailedAsync(IRepoProvider provider, string spec) =>
        Assert.IsType<ResolveResult.Failed>(await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

    [Fact]
    public async Task Branch_ResolvesToItsCommit_WithBinderHubNames()
    {
        var sha = _github.SetRef("binder-examples", "requirements", "main");

        var (repo, notice) = await ResolvedAsync(Provider(), "binder-examples/requirements/main");

        Assert.Null(notice);
        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("https://github.com/binder-examples/requirements", repo.RepoUrl);
        Assert.Equal($"https://github.com/binder-examples/requirements/tree/{sha}", repo.RefUrl);
        Assert.Equal($"binder-examples/requirements/{sha}", repo.ResolvedSpec);
        Assert.Equal("binder-examples-requirements", repo.BuildSlug);
        Assert.Equal("main", repo.UnresolvedRef);
        Assert.Null(repo.GitCredentials);
    }

    [Fact]
    public async Task DotGitSuffix_IsStripped()
    {
        var sha = _github.SetRef("o", "r", "HEAD");

        var (repo, _) = await ResolvedAsync(Provider(), "o/r.git/HEAD");

        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("https://github.com/o/r", repo.RepoUrl);
        Assert.Equal("o-r", repo.BuildSlug);
    }

    [Fact]
    public async Task RefWithSlashes_GoesToTheApiAsAPath()
    {
        var sha = _github.SetRef("o", "r", "feature/deep/x");

        var (repo, _) = await ResolvedAsync(Provider(), "o/r/feature/deep/x");

        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("feature/deep/x", repo.UnresolvedRef);
        Assert.Contains(_github.Requests, r => r.Path == "/repos/o/r/commits/feature/deep/x");
    }

    [Theory]
    [InlineData("owner/repo", "Spec is not of the form \"user/repo/ref\", provided: \"owner/repo\". Did you mean \"owner/repo/HEAD\"?")]
    [InlineData("owner/main", "Spec is not of the form \"user/repo/ref\", provided: \"owner/main\".")]
    [InlineData("onlyowner", "Spec is not of the form \"user/repo/ref\", provided: \"onlyowner\".")]
    public async Task MalformedSpec_FailsWithBinderHubsHint(string spec, string message)
    {
        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(400, failed.StatusCode);
        Assert.Equal(message, failed.Message);
        Assert.Empty(_github.Requests);
    }

    [Theory]
    [InlineData("../x/main")]
    [InlineData("o/../main")]
    [InlineData("o/r/a/../../../../user")]
    [InlineData("o%3Fx/r/main")]
    public async Task PathClimbingOrOddNames_AreRefusedBeforeAnyRequest(string spec)
    {
        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(400, failed.StatusCode);
        Assert.Empty(_github.Requests);
    }

    [Fact]
    public async Task AccessToken_IsSentAsTokenHeader_WithBinderHubUserAgent_AndBecomesGitCredentials()
    {
        _github.SetRef("o", "r", "main");

        var (repo, _) = await ResolvedAsync(Provider(o => o.AccessToken = "s3cret"), "o/r/main");

        var request = Assert.Single(_github.Requests);
        Assert.Equal("token s3cret", request.Authorization);
        Assert.StartsWith("BinderHub", request.UserAgent);
        Assert.Equal("username=s3cret\\npassword=x-oauth-basic", repo.GitCredentials);
    }

    [Fact]
    public async Task ClientIdAndToken_GiveClientIdCredentials()
    {
        _github.SetRef("o", "r", "main");

        var (repo, _) = await ResolvedAsync(Provider(o => { o.AccessToken = "tok"; o.ClientId = "app"; }), "o/r/main");

        Assert.Equal("username=app\\npassword=tok", repo.GitCredentials);
    }

    [Fact]
    public async Task ClientIdAndSecret_WithoutToken_UseBasicAuth()
    {
        _github.SetRef("o", "r", "main");

        await ResolvedAsync(Provider(o => { o.ClientId = "app"; o.ClientSecret = "shh"; }), "o/r/main");

        Assert.Equal("Basic " + Convert.ToBase64String("app:shh"u8.ToArray()), Assert.Single(_github.Requests).Authorization);
    }

    [Fact]
    public async Task SecondResolve_SendsTheETag_AndA304ReusesTheCachedSha()
    {
        var sha = _github.SetRef("o", "r", "main");
        var provider = Provider();

        await ResolvedAsync(provider, "o/r/main");
        var (again, _) = await ResolvedAsync(provider, "o/r/main");

        var requests = _github.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("", requests[0].IfNoneMatch);
        Assert.StartsWith("W/\"", requests[1].IfNoneMatch);
        Assert.Equal(sha, again.ResolvedRef);
        // The fake gives the rate-limit unit back on a 304, as GitHub does.
        Assert.Equal(4999, provider.RateLimitRemaining);
    }

    [Fact]
    public async Task RateLimitRemaining_AfterA304_IsThe304s_NotTheCachedAnswers()
    {
        _github.SetRef("o", "r", "main");
        _github.SetRef("o", "other", "main");
        var provider = Provider();

        await ResolvedAsync(provider, "o/r/main");
        await ResolvedAsync(provider, "o/other/main");
        await ResolvedAsync(provider, "o/r/main");

        Assert.StartsWith("W/\"", _github.Requests.Last().IfNoneMatch);
        Assert.Equal(4998, provider.RateLimitRemaining);
    }

    [Fact]
    public async Task MovedBranch_ChangesTheETag_AndTheNewShaWins()
    {
        _github.SetRef("o", "r", "main");
        var provider = Provider();
        await ResolvedAsync(provider, "o/r/main");

        var moved = _github.SetRef("o", "r", "main");
        var (repo, _) = await ResolvedAsync(provider, "o/r/main");

        Assert.Equal(moved, repo.ResolvedRef);
    }

    [Fact]
    public async Task MissingRepo_FailsNotFound_AndIsNotAskedAgainForFiveMinutes()
    {
        var provider = Provider();
        const string expected = "Could not resolve ref for gh:o/missing/dev. Double check your URL and that your repo is public. " +
            "GitHub recently changed default branches from \"master\" to \"main\".";

        var first = await FailedAsync(provider, "o/missing/dev");
        var second = await FailedAsync(provider, "o/missing/dev");

        Assert.Equal(404, first.StatusCode);
        Assert.Equal(expected, first.Message);
        Assert.Equal(first, second);
        Assert.Equal(1, _github.CountFor("/o/missing/commits/dev"));

        _time.Advance(TimeSpan.FromSeconds(301));
        await FailedAsync(provider, "o/missing/dev");
        Assert.Equal(2, _github.CountFor("/o/missing/commits/dev"));
    }

    [Fact]
    public async Task MissingRefInExistingRepo_422_IsNotFound()
    {
        _github.SetRef("o", "r", "main");

        var failed = await FailedAsync(Provider(), "o/r/nope");

        Assert.Equal(404, failed.StatusCode);
        Assert.StartsWith("Could not resolve ref for gh:o/r/nope.", failed.Message);
    }

    [Theory]
    [InlineData("master")]
    [InlineData("main")]
    public async Task RenamedDefaultBranch_FallsBackToHead_WithANotice(string oldName)
    {
        var head = _github.SetRef("o", "r", "HEAD");

        var (repo, notice) = await ResolvedAsync(Provider(), $"o/r/{oldName}");

        Assert.Equal(head, repo.ResolvedRef);
        Assert.Equal($"o/r/{head}", repo.ResolvedSpec);
        Assert.Equal(
            $"Could not resolve ref for gh:o/r/{oldName}. Double check your URL and that your repo is public. " +
            "GitHub recently changed default branches from \"master\" to \"main\". Tip: HEAD will always resolve to a repository's default branch.\n" +
            $"Trying again with HEAD instead of {oldName}. Please update your links.",
            notice);
    }

    [Fact]
    public async Task MissingDefaultBranchAndHead_FailsWithTheTip()
    {
        var failed = await FailedAsync(Provider(), "o/gone/master");

        Assert.Equal(404, failed.StatusCode);
        Assert.EndsWith("Tip: HEAD will always resolve to a repository's default branch.", failed.Message);
        Assert.Equal(1, _github.CountFor("/o/gone/commits/HEAD"));
    }

    [Theory]
    [InlineData(420, 10)]
    [InlineData(0, 5)]
    [InlineData(299, 5)]
    [InlineData(300, 10)]
    [InlineData(3599, 60)]
    public async Task SpentRateLimit_TellsWhenToRetry_RoundedUpToFiveMinutes(int secondsToReset, int minutes)
    {
        _github.SetRef("o", "r", "main");
        _github.RateLimitedUntil = _time.GetUtcNow().AddSeconds(secondsToReset);

        var failed = await FailedAsync(Provider(), "o/r/main");

        Assert.Equal(429, failed.StatusCode);
        Assert.Equal($"Error resolving ref for gh:o/r/main: GitHub rate limit exceeded. Try again in {minutes} minutes.", failed.Message);
    }

    [Fact]
    public async Task ServerError_IsReportedAsUpstreamFailure_AndNotCachedAsMissing()
    {
        _github.SetRef("o", "r", "main");
        _github.FailWith = 500;
        var provider = Provider();

        var failed = await FailedAsync(provider, "o/r/main");
        _github.FailWith = null;
        await ResolvedAsync(provider, "o/r/main");

        Assert.Equal(502, failed.StatusCode);
        Assert.StartsWith("Error resolving ref for gh:o/r/main: the GitHub API answered 500", failed.Message);
    }

    [Fact]
    public async Task UnreachableApi_FailsWithoutThrowing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var failed = await FailedAsync(Provider(o => o.ApiBaseUrl = $"http://127.0.0.1:{port}"), "o/r/main");

        Assert.Equal(502, failed.StatusCode);
        Assert.StartsWith("Error resolving ref for gh:o/r/main: could not reach the GitHub API", failed.Message);
    }

    [Fact]
    public async Task SilentApi_IsAbandonedAfterTheRequestTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepting = listener.AcceptSocketAsync();
        var provider = Provider(o => { o.ApiBaseUrl = $"http://127.0.0.1:{port}"; o.RequestTimeout = TimeSpan.FromSeconds(1); });

        var failing = FailedAsync(provider, "o/r/main");
        // The request is in flight once the API accepted it; then its timeout is due.
        using var socket = await accepting.WaitAsync(Timeout);
        _time.Advance(TimeSpan.FromSeconds(1));
        var failed = await failing;

        Assert.Equal(504, failed.StatusCode);
        Assert.Equal("Error resolving ref for gh:o/r/main: the GitHub API did not answer within 1 seconds.", failed.Message);
    }

    [Fact]
    public async Task EnterpriseHostname_NamesItsOwnUrls()
    {
        var sha = _github.SetRef("o", "r", "main");

        var (repo, _) = await ResolvedAsync(Provider(o => o.Hostname = "ghe.example.org"), "o/r/main");

        Assert.Equal("https://ghe.example.org/o/r", repo.RepoUrl);
        Assert.Equal($"https://ghe.example.org/o/r/tree/{sha}", repo.RefUrl);
    }

    [Theory]
    [InlineData("github.com", "", "https://api.github.com")]
    [InlineData("ghe.example.org", "", "https://ghe.example.org/api/v3")]
    [InlineData("ghe.example.org", "https://{hostname}/api/v3/", "https://ghe.example.org/api/v3")]
    [InlineData("github.com", "http://127.0.0.1:9999", "http://127.0.0.1:9999")]
    public void ApiBaseUrl_FollowsTheHostname(string hostname, string configured, string expected)
    {
        var options = new GitHubProviderOptions { Hostname = hostname, ApiBaseUrl = configured };

        Assert.Equal(expected, options.EffectiveApiBaseUrl);
    }

    [Fact]
    public void DisplayConfig_IsBinderHubs()
    {
        var config = Provider().DisplayConfig;

        Assert.Equal("gh", config.Id);
        Assert.Equal("GitHub", config.DisplayName);
        Assert.Equal("[^/]+/[^/]+/.+", config.Spec.ValidateRegex);
        Assert.False(config.Repo.UrlEncode);
        Assert.Equal("HEAD", config.Ref.Default);
        Assert.Matches(config.Detect!.Regex, "https://github.com/binder-examples/requirements");
    }
}
