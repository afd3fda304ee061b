using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// Issue 11, through the git provider as the server registers it: hostile specs are refused before any git command is
/// built, and the command lines that are built carry only the canonical URL, after <c>--</c>, with the safe environment.
/// </summary>
public sealed class GitCommandLineTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private readonly RecordedProviders _providers = new();

    public void Dispose() => _providers.Dispose();

    private IRepoProvider Git => _providers["git"];

    private async Task<ResolveResult> ResolveAsync(string spec) => await Git.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout);

    [Theory]
    [InlineData("http%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("https%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("git%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("ssh%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("HTTP%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("gIt%3A//127.0.0.1%3A9/x/HEAD")]
    [InlineData("http%3A/HEAD")]
    [InlineData("127.0.0.1%3Ax/HEAD")]
    [InlineData("localhost%3Ax/HEAD")]
    [InlineData("%40127.0.0.1%3Ax/HEAD")]
    [InlineData("ssh%3A%2F%2F-oProxyCommand%3Dtouch%20%2Ftmp%2Fpwned%2Fr/main")]
    [InlineData("ssh%3A%2F%2Fuser%40-oProxyCommand%3Dx%2Fr/main")]
    [InlineData("-oProxyCommand%3Dx%40127.0.0.1%3Ar/main")]
    [InlineData("git%40-oProxyCommand%3Dx%3Ar/main")]
    [InlineData("https%3A%2F%2F127.0.0.1%2Fr/--upload-pack=touch%20%2Ftmp%2Fpwned")]
    [InlineData("ext%3A%3Ash%20-c%20touch%25%20%2Ftmp%2Fpwned/main")]
    [InlineData("fd%3A%3A3/main")]
    [InlineData("file%3A%2F%2F%2Ftmp%2Frepo/main")]
    [InlineData("%2Ftmp%2Frepo/main")]
    [InlineData("https%3A%2F%2F127.0.0.1%23%40example.org%2Fr/main")]
    public async Task HostileSpec_IsRefusedWith400_AndNoGitRuns(string spec)
    {
        var failed = Assert.IsType<ResolveResult.Failed>(Git.CheckSpec(spec));
        var resolved = Assert.IsType<ResolveResult.Failed>(await ResolveAsync(spec));

        Assert.Equal(400, failed.StatusCode);
        Assert.Equal(failed, resolved);
        Assert.Empty(_providers.Git.Invocations);
    }

    [Theory]
    [InlineData("gIt%3A%2F%2F127.0.0.1%2Fr.git/main", "git://127.0.0.1/r.git")]
    [InlineData("HTTP%3A%2F%2F127.0.0.1%3A9%2Fx/HEAD", "http://127.0.0.1:9/x")]
    [InlineData("HtTpS%3A%2F%2FLocalHost%2Fx/HEAD", "https://localhost/x")]
    public async Task MixedCaseUrl_GitGetsTheCanonicalUrl_AfterDoubleDash(string spec, string url)
    {
        _providers.Git.Answer = _ => new GitCommandResult(0, $"{Sha}\trefs/heads/main\n", "", TimedOut: false);

        var result = await ResolveAsync(spec);

        Assert.IsType<ResolveResult.Resolved>(result);
        var command = Command(Assert.Single(_providers.Git.Invocations));
        Assert.Equal("ls-remote", command[0]);
        Assert.Equal("--", command[1]);
        Assert.Equal(url, command[2]);
        Assert.Equal(url, ((ResolveResult.Resolved)result).Repo.RepoUrl);
    }

    [Theory]
    [InlineData("git%40127.0.0.1%3Aorg%2Frepo.git/main")]
    [InlineData("ssh%3A%2F%2Fgit%40127.0.0.1%2Forg%2Frepo.git/main")]
    public async Task SshOrScpUrl_IsRefusedWith400ByDefault_NamingTheSetting_AndNoGitRuns(string spec)
    {
        var failed = Assert.IsType<ResolveResult.Failed>(Git.CheckSpec(spec));
        var resolved = Assert.IsType<ResolveResult.Failed>(await ResolveAsync(spec));

        Assert.Equal(400, failed.StatusCode);
        Assert.Equal(failed, resolved);
        Assert.Contains("Providers:Git:AllowedSchemes", failed.Message);
        Assert.Empty(_providers.Git.Invocations);
    }

    [Fact]
    public async Task ScpUrl_WithSshAllowed_GitGetsTheCheckedAddress_AfterDoubleDash()
    {
        using var providers = new RecordedProviders(new Dictionary<string, string?> { ["Providers:Git:AllowedSchemes:0"] = "ssh" });
        providers.Git.Answer = _ => new GitCommandResult(0, $"{Sha}\trefs/heads/main\n", "", TimedOut: false);

        var result = await providers["git"].ResolveAsync("git%40localhost%3Aorg%2Frepo.git/main", CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("ssh://git@localhost/org/repo.git", Assert.IsType<ResolveResult.Resolved>(result).Repo.RepoUrl);
        Assert.Equal(new[] { "ls-remote", "--", "ssh://git@127.0.0.1/org/repo.git", "main", "main^{}" }, Assert.Single(providers.Git.Invocations).Arguments);
    }

    /// <summary>git's arguments after the <c>-c key=value</c> pairs the outbound guard puts first.</summary>
    internal static IReadOnlyList<string> Command(GitInvocation invocation)
    {
        var i = 0;
        while (i < invocation.Arguments.Count - 1 && invocation.Arguments[i] == "-c") i += 2;
        return invocation.Arguments.Skip(i).ToArray();
    }

    [Fact]
    public async Task GitEnvironment_AllowsExactlyTheConfiguredSchemes_AndNeverPrompts()
    {
        using var providers = new RecordedProviders(new Dictionary<string, string?>
        {
            ["Providers:Git:AllowedSchemes:0"] = "HTTPS",
            ["Providers:Git:AllowedSchemes:1"] = "ssh",
        });

        await providers["git"].ResolveAsync("https%3A%2F%2F127.0.0.1%2Fr/main", CancellationToken.None).WaitAsync(Timeout);

        var environment = Assert.Single(providers.Git.Invocations).Environment;
        Assert.Equal("https:ssh", environment["GIT_ALLOW_PROTOCOL"]);
        Assert.Equal("0", environment["GIT_TERMINAL_PROMPT"]);
        Assert.Contains("BatchMode=yes", environment["GIT_SSH_COMMAND"]);
        Assert.Null(environment["GIT_SSH"]);
        Assert.Null(environment["SSH_ASKPASS"]);
        Assert.Null(environment["GIT_ASKPASS"]);
    }

    [Fact]
    public async Task FullCommitId_IsTakenWithoutRunningGit()
    {
        var result = await ResolveAsync($"https%3A%2F%2F127.0.0.1%2Fr/{Sha}");

        Assert.Equal(Sha, Assert.IsType<ResolveResult.Resolved>(result).Repo.ResolvedRef);
        Assert.Empty(_providers.Git.Invocations);
    }

    [Theory]
    [InlineData("gh", "owner/repo/main")]
    [InlineData("gist", "owner/0123abcd")]
    [InlineData("gl", "group%2Fproject/main")]
    [InlineData("git", "https%3A%2F%2F127.0.0.1%2Fr/main")]
    public void WellFormedSpec_PassesTheSyntacticCheck(string provider, string spec)
    {
        Assert.Null(_providers[provider].CheckSpec(spec));
    }

    [Theory]
    [InlineData("gh", "owner/repo", 400)]
    [InlineData("gh", "..%2F..%2Fx/repo/main", 400)]
    [InlineData("gist", "owner/not-hex!", 400)]
    [InlineData("gl", "noslash/main", 400)]
    [InlineData("git", "http%3A/main", 400)]
    public void MalformedSpec_FailsTheSyntacticCheck_AsResolvingWould(string provider, string spec, int status)
    {
        Assert.Equal(status, _providers[provider].CheckSpec(spec)?.StatusCode);
    }

    [Fact]
    public void BannedSpec_FailsTheSyntacticCheckWith403()
    {
        using var providers = new RecordedProviders(new Dictionary<string, string?> { ["Providers:GitHub:BannedSpecs:0"] = "^evil/" });

        Assert.Equal(403, providers["gh"].CheckSpec("evil/repo/main")?.StatusCode);
        Assert.Null(providers["gh"].CheckSpec("good/repo/main"));
    }
}
