using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Providers;
using BinderOrleans.Core.Providers.Git;
using BinderOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>
/// <see cref="RepoResolver"/> with the real git provider against a loopback git host (git http-backend) that has one
/// public and one private repository (HTTP Basic with its owner's token): who gets which answer, which image name, and
/// where a token is sent. The credentials come from a table here instead of a hub (the hub's part is
/// <c>AuthPrivateRepoTests</c>).
/// </summary>
public sealed class AuthRepoResolverTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const string AliceToken = "alice-token-0123456789";
    private const string BobToken = "bob-token-9876543210";

    private readonly GitRepo _private = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "secret\n" });
    private readonly GitRepo _public = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = "open\n" });
    private GitHttpHost _host = null!;
    private ServiceProvider _services = null!;
    private Table _credentials = null!;

    public async Task InitializeAsync()
    {
        _host = await GitHttpHost.StartAsync(Path.GetDirectoryName(_private.Path)!,
            new Dictionary<string, string> { [Path.GetFileName(_private.Path)] = AliceToken }).WaitAsync(Timeout);
        _services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8" }).Build())
            .AddLogging()
            .AddRepoProviders()
            .BuildServiceProvider();
        _credentials = new Table(_host.BaseUri.AbsoluteUri)
        {
            ["alice"] = new RepoCredential("oauth2", AliceToken),
            ["bob"] = new RepoCredential("oauth2", BobToken),
        };
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _host.DisposeAsync();
        _private.Dispose();
        _public.Dispose();
    }

    private IRepoProvider Git => _services.GetServices<IRepoProvider>().Single(p => p.Id == "git");

    private RepoResolver Resolver() => new(
        new ResolveCoalescer(Microsoft.Extensions.Options.Options.Create(new RepoProvidersOptions { RefCacheSeconds = 60 }), TimeProvider.System),
        _credentials, NullLogger<RepoResolver>.Instance);

    private string Spec(GitRepo repo, string reference = "main") => $"{Uri.EscapeDataString(_host.UrlOf(repo))}/{reference}";

    [Fact]
    public async Task PrivateRepo_Owner_ResolvesWithOwnToken_ToAnImageNameOfTheirOwn()
    {
        var resolver = Resolver();

        var result = await resolver.ResolveAsync(Git, Spec(_private), "alice", CancellationToken.None).WaitAsync(Timeout);

        var repo = Assert.IsType<ResolveResult.Resolved>(result).Repo;
        Assert.Equal(_private.Head, repo.ResolvedRef);
        Assert.Equal(ImageNaming.PrivateSlug(_host.UrlOf(_private), "alice"), repo.BuildSlug);
        Assert.Equal($"username=oauth2\\npassword={AliceToken}", repo.GitCredentials);
        Assert.Equal("alice", repo.Owner);
        Assert.DoesNotContain(AliceToken, repo.ToString());
        var privateImage = ImageNaming.ImageName("p-", repo.BuildSlug, repo.ResolvedRef);
        Assert.NotEqual(ImageNaming.ImageName("p-", _host.UrlOf(_private), repo.ResolvedRef), privateImage);
        Assert.NotEqual(ImageNaming.ImageName("p-", ImageNaming.PrivateSlug(_host.UrlOf(_private), "bob"), repo.ResolvedRef), privateImage);
        Assert.Contains("alice", privateImage);
    }

    [Fact]
    public async Task PrivateRepo_AfterTheOwner_OthersGetNothingOfTheirs()
    {
        var resolver = Resolver();
        Assert.IsType<ResolveResult.Resolved>(await resolver.ResolveAsync(Git, Spec(_private), "alice", CancellationToken.None).WaitAsync(Timeout));

        // Bob with a token of his own, Bob naming the commit, Carol with none, and an anonymous visitor: Alice's cached answer is hers.
        var bob = await resolver.ResolveAsync(Git, Spec(_private), "bob", CancellationToken.None).WaitAsync(Timeout);
        var bobAtCommit = await resolver.ResolveAsync(Git, Spec(_private, _private.Head), "bob", CancellationToken.None).WaitAsync(Timeout);
        var carol = await resolver.ResolveAsync(Git, Spec(_private), "carol", CancellationToken.None).WaitAsync(Timeout);
        var anonymous = await resolver.ResolveAsync(Git, Spec(_private), null, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(bob).StatusCode);
        Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(bobAtCommit).StatusCode);
        Assert.IsType<ResolveResult.Failed>(carol);
        Assert.IsType<ResolveResult.Failed>(anonymous);
        Assert.Contains(_host.AuthorizationHeaders, h => h.EndsWith(Basic(BobToken), StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublicRepo_UserWithAToken_GetsThePublicAnswer_AndTheTokenIsNotSent()
    {
        var resolver = Resolver();

        var result = await resolver.ResolveAsync(Git, Spec(_public), "alice", CancellationToken.None).WaitAsync(Timeout);
        var anonymous = await resolver.ResolveAsync(Git, Spec(_public), null, CancellationToken.None).WaitAsync(Timeout);

        var repo = Assert.IsType<ResolveResult.Resolved>(result).Repo;
        Assert.Equal(_host.UrlOf(_public), repo.BuildSlug);
        Assert.Null(repo.GitCredentials);
        Assert.Null(repo.Owner);
        Assert.Equal(repo.BuildSlug, Assert.IsType<ResolveResult.Resolved>(anonymous).Repo.BuildSlug);
        Assert.Empty(_host.AuthorizationHeaders);
    }

    [Fact]
    public async Task CredentialHelper_GivesTheTokenToTheRepositorysOriginOnly()
    {
        var git = new GitCommand(TimeProvider.System);
        var url = _host.UrlOf(_private);
        var credential = new RepoCredential("oauth2", AliceToken);

        var scoped = await git.RunAsync(Invocation(url, credential, url), Timeout, CancellationToken.None);
        var elsewhere = await git.RunAsync(Invocation(url, credential, "http://127.0.0.2:1/other.git"), Timeout, CancellationToken.None);

        Assert.True(scoped.ExitCode == 0, scoped.Error);
        Assert.Contains(_private.Head, scoped.Output);
        // Scoped to another origin, the helper is never asked: git has no credential, and may not prompt.
        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.DoesNotContain(AliceToken, elsewhere.Error);
    }

    private static GitInvocation Invocation(string url, RepoCredential credential, string scope) =>
        GitInvocation.Create(["ls-remote", "--", url, "main"], Path.GetTempPath(), ["http"], credential.HelperText, scope);

    private static string Basic(string token) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"oauth2:{token}"));

    /// <summary>Users' credentials for repositories under one URL prefix.</summary>
    private sealed class Table(string prefix) : Dictionary<string, RepoCredential>, IRepoCredentials
    {
        public Task<RepoCredential?> FindAsync(string user, string repoUrl, CancellationToken cancellationToken) =>
            Task.FromResult(repoUrl.StartsWith(prefix, StringComparison.Ordinal) && TryGetValue(user, out var c) ? c : null);
    }
}
