namespace BinderOrleans.Core.Providers;

/// <summary>Anonymous service, or no credential rules: nobody has credentials of their own.</summary>
internal sealed class NoRepoCredentials : IRepoCredentials
{
    public Task<RepoCredential?> FindAsync(string user, string repoUrl, CancellationToken cancellationToken) => Task.FromResult<RepoCredential?>(null);
}
