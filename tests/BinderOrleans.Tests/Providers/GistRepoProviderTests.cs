using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Gist;
using BinderOrleans.Core.Providers.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Providers;

public sealed class GistRepoProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeGitHubServer _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHubServer.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    private GistRepoProvider Provider(Action<GistProviderOptions>? configure = null, Action<GitHubProviderOptions>? github = null)
    {
        var options = new GistProviderOptions();
        configure?.Invoke(options);
        var githubOptions = new GitHubProviderOptions { ApiBaseUrl = _github.BaseUri.ToString() };
        github?.Invoke(githubOptions);
        var http = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpMessageHandlerFactory>();
        return new GistRepoProvider(Microsoft.Extensions.Options.Options.Create(options), Microsoft.Extensions.Options.Options.Create(githubOptions), http, _time,
            NullLogger<GistRepoProvider>.Instance);
    }

    private static async Task<ResolveResult.Resolved> ResolvedAsync(IRepoProvider provider, string spec) =>
        Assert.IsType<ResolveResult.Resolved>(await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

    private static async Task<ResolveResult.Failed> FailedAsync(IRepoProvider provider, string spec) =>
        Assert.IsType<ResolveResult.Failed>(await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout));

    [Theory]
    [InlineData("")]
    [InlineData("/HEAD")]
    [InlineData("/master")]
    [InlineData("/main")]
    public async Task NoRefOrDefaultName_TakesTheNewestVersion_WithBinderHubNames(string suffix)
    {
        var versions = _github.SetGist("octo", "aa5a315d61ae9438b18d", revisions: 3);

        var (repo, _) = await ResolvedAsync(Provider(), $"octo/aa5a315d61ae9438b18d{suffix}");

        Assert.Equal(versions[0], repo.ResolvedRef);
        Assert.Equal("https://gist.github.com/octo/aa5a315d61ae9438b18d.git", repo.RepoUrl);
        Assert.Equal($"https://gist.github.com/octo/aa5a315d61ae9438b18d/{versions[0]}", repo.RefUrl);
        Assert.Equal($"octo/aa5a315d61ae9438b18d/{versions[0]}", repo.ResolvedSpec);
        Assert.Equal("aa5a315d61ae9438b18d", repo.BuildSlug);
        Assert.Equal("/gists/aa5a315d61ae9438b18d", Assert.Single(_github.Requests).Path);
    }

    [Fact]
    public async Task OlderVersion_IsUsedAsGiven()
    {
        var versions = _github.SetGist("octo", "abc123", revisions: 3);

        var (repo, _) = await ResolvedAsync(Provider(), $"octo/abc123/{versions[2]}");

        Assert.Equal(versions[2], repo.ResolvedRef);
        Assert.Equal(versions[2], repo.UnresolvedRef);
    }

    [Fact]
    public async Task RefOutsideTheHistory_IsNotFound()
    {
        _github.SetGist("octo", "abc123", revisions: 2);

        var failed = await FailedAsync(Provider(), $"octo/abc123/{new string('e', 40)}");

        Assert.Equal(404, failed.StatusCode);
        Assert.Equal($"Could not resolve ref for gist:octo/abc123/{new string('e', 40)}. Double check your URL and that your repo is public.", failed.Message);
    }

    [Fact]
    public async Task MissingGist_IsNotFound()
    {
        var failed = await FailedAsync(Provider(), "octo/feedbeef");

        Assert.Equal(404, failed.StatusCode);
    }

    [Fact]
    public async Task SecretGist_IsRefused_UnlessAllowed()
    {
        var versions = _github.SetGist("octo", "5ec12e7", isPublic: false);

        var refused = await FailedAsync(Provider(), "octo/5ec12e7");
        var (allowed, _) = await ResolvedAsync(Provider(o => o.AllowSecretGist = true), "octo/5ec12e7");

        Assert.Equal(403, refused.StatusCode);
        Assert.StartsWith("Error resolving ref for gist:octo/5ec12e7: You seem to want to use a secret Gist", refused.Message);
        Assert.Contains("Providers:Gist:AllowSecretGist", refused.Message);
        Assert.Equal(versions[0], allowed.ResolvedRef);
    }

    [Fact]
    public async Task GitHubToken_IsSent_AndBecomesGitCredentials()
    {
        _github.SetGist("octo", "abc123");

        var (repo, _) = await ResolvedAsync(Provider(github: o => o.AccessToken = "ghp-tok"), "octo/abc123");

        var request = Assert.Single(_github.Requests);
        Assert.Equal("token ghp-tok", request.Authorization);
        Assert.StartsWith("BinderHub", request.UserAgent);
        Assert.Equal("username=ghp-tok\\npassword=x-oauth-basic", repo.GitCredentials);
    }

    [Fact]
    public async Task SpentRateLimit_TellsWhenToRetry()
    {
        _github.SetGist("octo", "abc123");
        _github.RateLimitedUntil = _time.GetUtcNow().AddSeconds(420);

        var failed = await FailedAsync(Provider(), "octo/abc123");

        Assert.Equal(429, failed.StatusCode);
        Assert.Equal("Error resolving ref for gist:octo/abc123: GitHub rate limit exceeded. Try again in 10 minutes.", failed.Message);
    }

    [Theory]
    [InlineData("octo")]
    [InlineData("octo/")]
    [InlineData("octo/abc/def/ghi")]
    [InlineData("octo/..")]
    [InlineData("octo/abc%2F..%2Fusers")]
    [InlineData("..%2Fx/abc")]
    public async Task MalformedSpec_IsRefusedBeforeAnyRequest(string spec)
    {
        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(400, failed.StatusCode);
        Assert.Empty(_github.Requests);
    }

    [Fact]
    public void DisplayConfig_IsBinderHubs()
    {
        var config = Provider().DisplayConfig;

        Assert.Equal("gist", config.Id);
        Assert.Equal("[^/]+/[^/]+(/[^/]+)?", config.Spec.ValidateRegex);
        Assert.False(config.Repo.UrlEncode);
        Assert.Equal("HEAD", config.Ref.Default);
        var match = System.Text.RegularExpressions.Regex.Match("https://gist.github.com/octo/abc123", config.Detect!.Regex);
        Assert.Equal("octo/abc123", match.Groups["repo"].Value);
    }
}
