using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Providers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BinderOrleans.Tests.Providers;

/// <summary>
/// The <c>gh</c> provider with a logged-in user's own GitHub token (<see cref="RepoResolver"/>), against the fake GitHub
/// API with a private repository: the owner's answer is theirs, nobody else's lookups see it, and the token goes with the
/// owner's lookups only.
/// </summary>
public sealed class AuthGitHubRepoTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeGitHubServer _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHubServer.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    [Fact]
    public async Task AuthPrivateRepo_OwnersToken_ResolvesPastTheSharedCaches_OthersGet404()
    {
        var sha = _github.SetRef("lab", "secret", "main");
        _github.SetPrivate("lab", "secret", "gho_alice");
        var credentials = new TokenTable { ["alice"] = new RepoCredential("oauth2", "gho_alice"), ["bob"] = new RepoCredential("oauth2", "gho_bob") };
        var resolver = new RepoResolver(
            new ResolveCoalescer(Microsoft.Extensions.Options.Options.Create(new RepoProvidersOptions { RefCacheSeconds = 60 }), _time),
            credentials, NullLogger<RepoResolver>.Instance);
        var provider = _github.Provider(_time, o => o.AccessToken = "service-token");

        var bobFirst = await resolver.ResolveAsync(provider, "lab/secret/main", "bob", CancellationToken.None).WaitAsync(Timeout);
        var alice = await resolver.ResolveAsync(provider, "lab/secret/main", "alice", CancellationToken.None).WaitAsync(Timeout);
        var bobAfter = await resolver.ResolveAsync(provider, "lab/secret/main", "bob", CancellationToken.None).WaitAsync(Timeout);
        var anonymous = await resolver.ResolveAsync(provider, "lab/secret/main", null, CancellationToken.None).WaitAsync(Timeout);

        var repo = Assert.IsType<ResolveResult.Resolved>(alice).Repo;
        Assert.Equal(sha, repo.ResolvedRef);
        Assert.Equal("https://github.com/lab/secret", repo.RepoUrl);
        Assert.Equal(ImageNaming.PrivateSlug("lab-secret", "alice"), repo.BuildSlug);
        Assert.Equal("username=oauth2\\npassword=gho_alice", repo.GitCredentials);
        foreach (var refused in new[] { bobFirst, bobAfter, anonymous })
        {
            Assert.Equal(404, Assert.IsType<ResolveResult.Failed>(refused).StatusCode);
        }
        // Alice's token went with Alice's lookups only; the service's own token with everyone's first question.
        Assert.Contains(_github.Requests, r => r.Authorization == "token gho_alice");
        Assert.Contains(_github.Requests, r => r.Authorization == "token gho_bob");
        Assert.Contains(_github.Requests, r => r.Authorization == "token service-token");
        Assert.DoesNotContain(_github.Requests, r => r.Authorization.Contains("gho_alice", StringComparison.Ordinal) && r.Authorization != "token gho_alice");
    }

    /// <summary>Users' GitHub tokens, as a hub's auth_state would give them.</summary>
    private sealed class TokenTable : Dictionary<string, RepoCredential>, IRepoCredentials
    {
        public Task<RepoCredential?> FindAsync(string user, string repoUrl, CancellationToken cancellationToken) =>
            Task.FromResult(repoUrl.StartsWith("https://github.com/", StringComparison.Ordinal) && TryGetValue(user, out var c) ? c : null);
    }
}
