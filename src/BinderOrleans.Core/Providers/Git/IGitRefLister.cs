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
}
