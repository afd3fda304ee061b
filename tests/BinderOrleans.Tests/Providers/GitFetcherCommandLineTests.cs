using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Testing;

namespace BinderOrleans.Tests.Providers;

/// <summary>Issue 11 for builds: the clone runs with the git provider's URL rule and environment, through the same runner.</summary>
public sealed class GitFetcherCommandLineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private readonly RecordingGitRunner _git = new();

    private GitFetcher Fetcher(params string[] schemes) =>
        new(_git, Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = schemes.Length > 0 ? [.. schemes] : null }), Pin("127.0.0.0/8", "::1/128"));

    /// <summary>The outbound guard as configured by <c>Security:AllowedTargetNetworks</c> = <paramref name="allowedNetworks"/>.</summary>
    internal static GitPin Pin(params string[] allowedNetworks) =>
        new(new OutboundGuard(Microsoft.Extensions.Options.Options.Create(new OutboundOptions { AllowedTargetNetworks = [.. allowedNetworks] }), new LoopbackHostResolver(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboundGuard>.Instance));

    private static async Task<List<GitOutput>> FetchAsync(GitFetcher fetcher, string url, string? credentials = null)
    {
        var lines = new List<GitOutput>();
        var directory = Path.Combine(Path.GetTempPath(), "binder-fetch-test-" + Guid.NewGuid().ToString("N"), "checkout");
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (var line in fetcher.FetchAsync(url, Sha, directory, credentials, cts.Token)) lines.Add(line);
        return lines;
    }

    [Theory]
    [InlineData("http:")]
    [InlineData("http:/127.0.0.1/x")]
    [InlineData("gIt:")]
    [InlineData("127.0.0.1:x")]
    [InlineData("ssh://-oProxyCommand=touch /tmp/pwned/r")]
    [InlineData("ext::sh -c touch% /tmp/pwned")]
    [InlineData("file:///tmp/repo")]
    [InlineData("--upload-pack=touch /tmp/pwned")]
    public async Task HostileUrl_FailsTheFetch_AndNoGitRuns(string url)
    {
        var lines = await FetchAsync(Fetcher(), url);

        Assert.True(Assert.Single(lines).Failed);
        Assert.Empty(_git.Invocations);
    }

    [Fact]
    public async Task Clone_GetsTheCanonicalUrlAfterDoubleDash_WithTheSharedEnvironment()
    {
        _git.StreamOutput = i => i.Arguments[0] == "rev-parse" ? [Sha] : [];

        var lines = await FetchAsync(Fetcher("GIT", "ssh"), "gIt://LocalHost/r.git", "username=u\\npassword=p");

        Assert.DoesNotContain(lines, l => l.Failed);
        var clone = _git.Invocations.First();
        // git:// cannot be pinned from outside: git gets the address the guard checked, not the name.
        Assert.Equal(new[] { "clone", "--no-checkout", "--", "git://127.0.0.1/r.git" }, clone.Arguments.Take(4));
        // Hosted providers' clone URLs are https, so builds may always use it.
        Assert.Equal("git:ssh:https", clone.Environment["GIT_ALLOW_PROTOCOL"]);
        Assert.Contains("BatchMode=yes", clone.Environment["GIT_SSH_COMMAND"]);
        Assert.Equal("username=u\\npassword=p", clone.Environment[GitInvocation.CredentialsVariable]);
        Assert.DoesNotContain(_git.Invocations.SelectMany(i => i.Arguments), a => a.Contains("password", StringComparison.Ordinal));
        Assert.All(_git.Invocations, i => Assert.Equal(clone.Environment, i.Environment));
    }

    [Fact]
    public async Task FailingClone_EndsWithOneFailedLine_NamingGitsLastWords()
    {
        _git.StreamOutput = _ => ["fatal: repository not found"];
        _git.StreamExitCode = _ => 128;

        var lines = await FetchAsync(Fetcher(), "https://127.0.0.1/r.git");

        Assert.Equal("git clone failed (exit code 128): fatal: repository not found", lines[^1].Text);
        Assert.True(lines[^1].Failed);
        Assert.Single(_git.Invocations);
    }
}
