namespace BinderOrleans.Core.Providers;

/// <summary>
/// Where a logged-in user's own repository credentials come from (<c>Binder:AuthEnabled</c> with
/// <c>JupyterHub:Auth:RepoCredentials</c>: the hub's <c>auth_state</c>). The default has none.
/// </summary>
public interface IRepoCredentials
{
    /// <summary>The credential of <paramref name="user"/> for <paramref name="repoUrl"/>, or null when there is none.</summary>
    Task<RepoCredential?> FindAsync(string user, string repoUrl, CancellationToken cancellationToken);
}
