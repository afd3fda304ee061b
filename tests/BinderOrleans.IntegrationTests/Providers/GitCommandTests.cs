using System.Net;
using System.Net.Sockets;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Testing;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// The real git runner with the shared environment (issue 11): git itself enforces the allow-list, ssh never waits for
/// a prompt, and a build's checkout streams through the same runner. Only file:// and 127.0.0.1 are ever contacted.
/// </summary>
public sealed class GitCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "hello\n" });
    private readonly GitCommand _git = new(TimeProvider.System);
    private readonly string _work = Directory.CreateTempSubdirectory("binder-git-command-test-").FullName;

    public void Dispose()
    {
        _repo.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task TransportOutsideTheAllowList_IsRefusedByGitItself()
    {
        // Our URL check is bypassed on purpose: GIT_ALLOW_PROTOCOL is the second wall.
        var invocation = GitInvocation.Create(["ls-remote", "--", _repo.Url], _work, ["https"]);

        var result = await _git.RunAsync(invocation, Timeout, CancellationToken.None).WaitAsync(Timeout);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("transport 'file' not allowed", result.Error);
    }

    [Fact]
    public async Task SshToAClosedLoopbackPort_FailsWithoutPrompting()
    {
        var port = ClosedPort();
        var invocation = GitInvocation.Create(["ls-remote", "--", $"ssh://git@127.0.0.1:{port}/r.git"], _work, ["ssh"]);

        var result = await _git.RunAsync(invocation, Timeout, CancellationToken.None).WaitAsync(Timeout);

        Assert.False(result.TimedOut);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("127.0.0.1", result.Error);
    }

    [Fact]
    public async Task Fetcher_ChecksOutTheCommit_ThroughTheRealRunner()
    {
        var first = _repo.Head;
        _repo.Commit(new Dictionary<string, string> { ["b.txt"] = "b" });
        var fetcher = new GitFetcher(_git, Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = ["file"] }), BinderOrleans.IntegrationTests.Providers.GitRepoProviderTests.Pin());
        var checkout = Path.Combine(_work, "checkout");
        var lines = new List<GitOutput>();
        using var cts = new CancellationTokenSource(Timeout);

        await foreach (var line in fetcher.FetchAsync(_repo.Url, first, checkout, null, cts.Token)) lines.Add(line);

        Assert.DoesNotContain(lines, l => l.Failed);
        Assert.Contains(lines, l => l.Text == $"HEAD is now at {first}");
        Assert.True(File.Exists(Path.Combine(checkout, "README.md")));
        Assert.False(File.Exists(Path.Combine(checkout, "b.txt")));
    }

    [Fact]
    public async Task Fetcher_MissingRepository_EndsWithGitsReason()
    {
        var missing = new Uri(Path.Combine(_work, "no-such-repo")).AbsoluteUri;
        var fetcher = new GitFetcher(_git, Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = ["file"] }), BinderOrleans.IntegrationTests.Providers.GitRepoProviderTests.Pin());
        var lines = new List<GitOutput>();
        using var cts = new CancellationTokenSource(Timeout);

        await foreach (var line in fetcher.FetchAsync(missing, "main", Path.Combine(_work, "checkout"), null, cts.Token)) lines.Add(line);

        Assert.True(lines[^1].Failed);
        Assert.StartsWith("git clone failed (exit code 128)", lines[^1].Text);
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
