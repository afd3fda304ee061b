namespace BinderOrleans.Core.Providers;

/// <summary>
/// A provider that can resolve a repository with a user's own credentials (<see cref="RepoResolver"/>). Its answers
/// here are always checked against the host (a commit id too), and a host that refuses access (HTTP 401, 403 or 404)
/// gives <see cref="ResolveResult.NotFound"/>, so refused and missing look the same to whoever asks.
/// </summary>
public interface IPrivateRepoProvider
{
    /// <summary>The http(s) URL credentials for <paramref name="spec"/> would be sent to; null when none apply.</summary>
    string? CredentialUrlOf(string spec);

    /// <summary>Resolves <paramref name="spec"/> as <paramref name="credential"/>'s owner, or anonymously (null), asking the host.</summary>
    Task<ResolveResult> ResolveCheckedAsync(string spec, RepoCredential? credential, CancellationToken cancellationToken);
}
