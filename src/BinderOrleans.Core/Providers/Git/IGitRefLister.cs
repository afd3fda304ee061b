namespace BinderOrleans.Core.Providers.Git;

/// <summary>
/// Lists a remote's refs without a git process (<see cref="GitRefClient"/>): what <c>git ls-remote</c> would print.
/// Registered by <c>AddRepoProviders</c> (TryAdd: a test's fake registered first wins).
/// </summary>
public interface IGitRefLister
{
    /// <summary>
    /// The refs of <paramref name="url"/> (canonical) matching <paramref name="patterns"/>, as ls-remote's output; null
    /// when this lister does not take the URL (the caller runs <c>git ls-remote</c>).
    /// </summary>
    Task<GitCommandResult?> LsRemoteAsync(string url, IReadOnlyList<string> patterns, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// The same as <paramref name="credential"/>'s owner (HTTP Basic, to <paramref name="url"/>'s host only); null when
    /// this lister does not take the URL (the caller runs git with the credential in its environment).
    /// </summary>
    Task<GitCommandResult?> LsRemoteAsync(string url, IReadOnlyList<string> patterns, RepoCredential credential, TimeSpan timeout,
        CancellationToken cancellationToken) => Task.FromResult<GitCommandResult?>(null);
}
