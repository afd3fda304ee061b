using System.Diagnostics;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// Refs listed in process against git's own servers on loopback (a <c>git daemon</c> and <c>git http-backend</c>) give
/// exactly what <c>git ls-remote</c> prints for the same patterns, and the provider resolves through them without a process.
/// </summary>
public sealed class GitRefClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly GitRepo _repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "refs\n" });
    private GitDaemon _daemon = null!;
    private GitHttpHost _http = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var first = _repo.Head;
        _repo.Git("branch", "feature/main");
        _repo.Git("tag", "-a", "v1", "-m", "release one");
        _repo.Git("tag", "light");
        _repo.Commit(new Dictionary<string, string> { ["a.txt"] = "a" });
        _repo.Git("tag", "-a", "main", "-m", "a tag named like the branch", first);
        _daemon = await GitDaemon.StartAsync(_repo, CancellationToken.None).WaitAsync(Timeout);
        _http = await GitHttpHost.StartAsync(Path.GetDirectoryName(_repo.Path)!).WaitAsync(Timeout);
        _services = Services(new RecordingGitRunner());
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _http.DisposeAsync();
        _daemon.Dispose();
        _repo.Dispose();
    }

    private static ServiceProvider Services(IGitRunner git) => new ServiceCollection()
        // The loopback git servers of the test are allowed targets, as an operator would allow an internal host.
        .AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8" }).Build())
        .AddLogging()
        .AddSingleton(git)
        .AddRepoProviders()
        .BuildServiceProvider();

    private IGitRefLister Client => _services.GetRequiredService<IGitRefLister>();

    public static TheoryData<string> Patterns => new() { "HEAD", "main", "v1", "light", "feature/main", "no-such-ref" };

    [Theory]
    [MemberData(nameof(Patterns))]
    public async Task Daemon_ListsWhatLsRemotePrints(string pattern)
    {
        var url = _daemon.UrlOf(_repo);

        var listed = await Client.LsRemoteAsync(url, [pattern, pattern + "^{}"], Timeout, CancellationToken.None);

        Assert.NotNull(listed);
        Assert.Equal(0, listed.ExitCode);
        Assert.Equal(await LsRemoteAsync(url, pattern), listed.Output);
    }

    [Theory]
    [MemberData(nameof(Patterns))]
    public async Task SmartHttp_ListsWhatLsRemotePrints(string pattern)
    {
        var url = _http.UrlOf(_repo);

        var listed = await Client.LsRemoteAsync(url, [pattern, pattern + "^{}"], Timeout, CancellationToken.None);

        Assert.NotNull(listed);
        Assert.Equal(0, listed.ExitCode);
        Assert.Equal(await LsRemoteAsync(url, pattern), listed.Output);
    }

    [Fact]
    public async Task SmartHttp_MissingRepository_FailsWithTheReason()
    {
        var url = new Uri(_http.BaseUri, "no-such-repo.git").AbsoluteUri;

        var listed = await Client.LsRemoteAsync(url, ["main"], Timeout, CancellationToken.None);

        Assert.NotNull(listed);
        Assert.NotEqual(0, listed.ExitCode);
        Assert.Contains("not found", listed.Error);
    }

    [Fact]
    public async Task Provider_ResolvesHeadOverHttp_InProcess()
    {
        var processes = new RecordingGitRunner();
        await using var services = Services(processes);
        var provider = services.GetServices<IRepoProvider>().Single(p => p.Id == "git");
        var before = _http.Requests;

        // The git provider allows http by default; the spec names HEAD, the repository's default branch.
        var result = await provider.ResolveAsync($"{Uri.EscapeDataString(_http.UrlOf(_repo))}/HEAD", CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(_repo.Head, Assert.IsType<ResolveResult.Resolved>(result).Repo.ResolvedRef);
        Assert.Equal(before + 1, _http.Requests);
        Assert.Empty(processes.Invocations);
    }

    [Fact]
    public void LsRemotePatternRule_MatchesWholeNamesAndTailsAfterASlash()
    {
        Assert.True(GitRefClient.Matches("refs/heads/main", "main"));
        Assert.True(GitRefClient.Matches("refs/heads/feature/main", "main"));
        Assert.True(GitRefClient.Matches("HEAD", "HEAD"));
        Assert.False(GitRefClient.Matches("refs/heads/domain", "main"));
        Assert.False(GitRefClient.Matches("refs/heads/main", "heads/mai"));
    }

    private static async Task<string> LsRemoteAsync(string url, string pattern)
    {
        var psi = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "ls-remote", "--", url, pattern, pattern + "^{}" }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(Timeout);
        await process.WaitForExitAsync().WaitAsync(Timeout);
        return output;
    }
}
