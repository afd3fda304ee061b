using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// A workshop link: a thousand people ask at once for the branch of one repository served by a real <c>git daemon</c>
/// (default connection limits) on loopback, through a relay that counts connections.
/// </summary>
public sealed class ResolveHerdTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ThousandConcurrentResolutions_OfOneBranch_MakeOneConnectionToTheHost_AndAllSucceed()
    {
        using var repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "herd\n" });
        using var daemon = await GitDaemon.StartAsync(repo, CancellationToken.None).WaitAsync(Timeout);
        await using var relay = new TcpRelay(daemon.Port);
        var provider = new GitRepoProvider(
            Microsoft.Extensions.Options.Options.Create(new GitProviderOptions { AllowedSchemes = ["git"] }),
            new GitCommand(TimeProvider.System), GitRepoProviderTests.Pin("127.0.0.1/32"), NullLogger<GitRepoProvider>.Instance,
            new GitRefClient(new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>()));
        var coalescer = new ResolveCoalescer(Microsoft.Extensions.Options.Options.Create(new RepoProvidersOptions()), TimeProvider.System);
        var url = $"git://127.0.0.1:{relay.Port}/{Path.GetFileName(repo.Path)}";
        var spec = $"{Uri.EscapeDataString(url)}/main";

        var results = await Task.WhenAll(Enumerable.Range(0, 1000)
            .Select(_ => Task.Run(() => coalescer.ResolveAsync(provider, spec, CancellationToken.None)))).WaitAsync(Timeout);

        Assert.All(results, r => Assert.Equal(repo.Head, Assert.IsType<ResolveResult.Resolved>(r).Repo.ResolvedRef));
        Assert.Equal(1, relay.Accepted);
    }
}
