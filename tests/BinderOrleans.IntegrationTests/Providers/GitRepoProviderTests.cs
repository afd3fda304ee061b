using BinderOrleans.Core.Outbound;
using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>The git provider against real git and repositories on disk (file://) or on a loopback port.</summary>
public sealed class GitRepoProviderTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "hello\n" });

    public void Dispose() => _repo.Dispose();

    private static GitRepoProvider Provider(Action<GitProviderOptions>? configure = null)
    {
        var options = new GitProviderOptions { AllowedSchemes = ["file", "http", "https", "git", "ssh"] };
        configure?.Invoke(options);
        // The loopback git servers these tests start are allowed targets (Security:AllowedTargetNetworks). http, https and
        // git:// are listed in process (GitRefClient), the rest by a git process, as in the service.
        return new GitRepoProvider(Microsoft.Extensions.Options.Options.Create(options), new GitCommand(TimeProvider.System), Pin("127.0.0.1/32"),
            NullLogger<GitRepoProvider>.Instance, new GitRefClient(HttpClients));
    }

    private static readonly IHttpClientFactory HttpClients = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    /// <summary>The outbound guard as configured by <c>Security:AllowedTargetNetworks</c> = <paramref name="allowedNetworks"/>.</summary>
    internal static GitPin Pin(params string[] allowedNetworks) =>
        new(new OutboundGuard(Microsoft.Extensions.Options.Options.Create(new OutboundOptions { AllowedTargetNetworks = [.. allowedNetworks] }), new LoopbackHostResolver(),
            NullLogger<OutboundGuard>.Instance));

    private static string Escaped(string url) => Uri.EscapeDataString(url);

    private static async Task<ResolvedRepo> ResolvedAsync(IRepoProvider provider, string spec)
    {
        var result = await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout);
        var resolved = Assert.IsType<ResolveResult.Resolved>(result);
        return resolved.Repo;
    }

    private static async Task<ResolveResult.Failed> FailedAsync(IRepoProvider provider, string spec)
    {
        var result = await provider.ResolveAsync(spec, CancellationToken.None).WaitAsync(Timeout);
        return Assert.IsType<ResolveResult.Failed>(result);
    }

    [Fact]
    public async Task Branch_ResolvesToItsCommit_WithBinderHubNames()
    {
        var spec = $"{Escaped(_repo.Url)}/main";

        var repo = await ResolvedAsync(Provider(), spec);

        Assert.Equal(_repo.Head, repo.ResolvedRef);
        Assert.Equal(_repo.Url, repo.RepoUrl);
        Assert.Equal(_repo.Url, repo.RefUrl);
        Assert.Equal(_repo.Url, repo.BuildSlug);
        Assert.Equal("main", repo.UnresolvedRef);
        Assert.Equal($"{Escaped(_repo.Url)}/{_repo.Head}", repo.ResolvedSpec);
        Assert.Null(repo.GitCredentials);
    }

    [Fact]
    public async Task Head_ResolvesToTheDefaultBranchCommit()
    {
        var second = _repo.Commit(new Dictionary<string, string> { ["a.txt"] = "a" });

        var repo = await ResolvedAsync(Provider(), $"{Escaped(_repo.Url)}/HEAD");

        Assert.Equal(second, repo.ResolvedRef);
    }

    [Fact]
    public async Task UnescapedUrl_IsSplitAtTheLastSlash()
    {
        var repo = await ResolvedAsync(Provider(), $"{_repo.Url}/main");

        Assert.Equal(_repo.Url, repo.RepoUrl);
        Assert.Equal(_repo.Head, repo.ResolvedRef);
        Assert.Equal($"{Escaped(_repo.Url)}/{_repo.Head}", repo.ResolvedSpec);
    }

    [Fact]
    public async Task RefWithSlash_InBinderHubForm_ResolvesTheBranch()
    {
        var first = _repo.Head;
        _repo.Git("branch", "feature/x");
        _repo.Commit(new Dictionary<string, string> { ["b.txt"] = "b" });

        var repo = await ResolvedAsync(Provider(), $"{Escaped(_repo.Url)}/feature/x");

        Assert.Equal(first, repo.ResolvedRef);
        Assert.Equal("feature/x", repo.UnresolvedRef);
    }

    [Fact]
    public async Task Branch_WinsOverLongerRefsEndingInTheSameName()
    {
        // ls-remote lists refs/heads/feature/main before refs/heads/main; BinderHub would take the first.
        var mainCommit = _repo.Head;
        _repo.Git("checkout", "-q", "-b", "feature/main");
        _repo.Commit(new Dictionary<string, string> { ["c.txt"] = "c" });
        _repo.Git("checkout", "-q", "main");

        var repo = await ResolvedAsync(Provider(), $"{Escaped(_repo.Url)}/main");

        Assert.Equal(mainCommit, repo.ResolvedRef);
    }

    [Fact]
    public async Task AnnotatedTag_ResolvesToTheTaggedCommit_NotTheTagObject()
    {
        var tagged = _repo.Head;
        _repo.Git("tag", "-a", "v1.0", "-m", "release");
        _repo.Commit(new Dictionary<string, string> { ["d.txt"] = "d" });

        var repo = await ResolvedAsync(Provider(), $"{Escaped(_repo.Url)}/v1.0");

        Assert.Equal(tagged, repo.ResolvedRef);
    }

    [Fact]
    public async Task FullCommitId_IsUsedWithoutAskingTheRemote()
    {
        const string sha = "0123456789abcdef0123456789abcdef01234567";
        var missing = new Uri(Path.Combine(Path.GetTempPath(), "binder-no-such-repo-" + Guid.NewGuid().ToString("N"))).AbsoluteUri;

        var repo = await ResolvedAsync(Provider(), $"{Escaped(missing)}/{sha}");

        Assert.Equal(sha, repo.ResolvedRef);
    }

    [Fact]
    public async Task MissingRef_FailsNotFound_WithBinderHubMessage()
    {
        var spec = $"{Escaped(_repo.Url)}/no-such-branch";

        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(404, failed.StatusCode);
        Assert.Equal($"Could not resolve ref for git:{spec}. Double check your URL and that your repo is public.", failed.Message);
    }

    [Fact]
    public async Task MissingRepository_FailsWithGitsReason()
    {
        var missing = new Uri(Path.Combine(Path.GetTempPath(), "binder-no-such-repo-" + Guid.NewGuid().ToString("N"))).AbsoluteUri;
        var spec = $"{Escaped(missing)}/main";

        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(502, failed.StatusCode);
        Assert.StartsWith($"Error resolving ref for git:{spec}: ", failed.Message);
        Assert.Contains("does not appear to be a git repository", failed.Message);
        Assert.DoesNotContain("fatal:", failed.Message);
    }

    [Fact]
    public async Task ClosedLoopbackPort_FailsQuickly_WithoutPrompting()
    {
        var port = ClosedPort();
        var spec = $"{Escaped($"http://127.0.0.1:{port}/repo.git")}/main";

        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(502, failed.StatusCode);
        Assert.StartsWith($"Error resolving ref for git:{spec}: ", failed.Message);
        Assert.Contains("127.0.0.1", failed.Message);
    }

    [Fact]
    public async Task SilentServer_IsAbandonedAfterTheLsRemoteTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // Accept and never answer: git waits for the HTTP response.
        var accepted = new List<Socket>();
        var acceptLoop = Task.Run(async () =>
        {
            for (var i = 0; i < 4; i++) accepted.Add(await listener.AcceptSocketAsync());
        });
        var provider = Provider(o => o.LsRemoteTimeout = TimeSpan.FromSeconds(1));
        var spec = $"{Escaped($"http://127.0.0.1:{port}/repo.git")}/main";

        var failed = await FailedAsync(provider, spec);

        Assert.Equal(504, failed.StatusCode);
        Assert.Contains("did not answer within 1 seconds", failed.Message);
        listener.Stop();
        foreach (var s in accepted) s.Dispose();
    }

    [Theory]
    [InlineData("--upload-pack=touch {0}")]
    [InlineData("-oProxyCommand=touch {0}")]
    public async Task RefStartingWithDash_IsRefused_AndNothingRuns(string refTemplate)
    {
        var marker = Path.Combine(Path.GetTempPath(), "binder-pwned-" + Guid.NewGuid().ToString("N"));
        var spec = $"{Escaped(_repo.Url)}/{Uri.EscapeDataString(string.Format(System.Globalization.CultureInfo.InvariantCulture, refTemplate, marker))}";

        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(400, failed.StatusCode);
        Assert.Contains("cannot start with \"-\"", failed.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task ExtTransport_IsRefused_AndNothingRuns()
    {
        var marker = Path.Combine(Path.GetTempPath(), "binder-pwned-" + Guid.NewGuid().ToString("N"));
        var spec = $"{Escaped($"ext::sh -c touch% {marker}")}/main";

        var failed = await FailedAsync(Provider(), spec);

        Assert.Equal(400, failed.StatusCode);
        Assert.StartsWith("Unsupported git url ext::sh", failed.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task FileScheme_IsRefusedByDefault()
    {
        var provider = new GitRepoProvider(Microsoft.Extensions.Options.Options.Create(new GitProviderOptions()), new GitCommand(TimeProvider.System),
            Pin(), NullLogger<GitRepoProvider>.Instance, new GitRefClient(HttpClients));

        var failed = await FailedAsync(provider, $"{Escaped(_repo.Url)}/main");

        Assert.Equal(400, failed.StatusCode);
        Assert.Equal($"Unsupported git url {_repo.Url}, protocol file not in https, http, git (Providers:Git:AllowedSchemes)", failed.Message);
    }

    [Fact]
    public async Task Credentials_AreHandedToTheBuild()
    {
        var provider = Provider(o => o.GitCredentials = "username=u\npassword=p");

        var repo = await ResolvedAsync(provider, $"{Escaped(_repo.Url)}/main");

        Assert.Equal("username=u\npassword=p", repo.GitCredentials);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
