using BinderOrleans.Core.Naming;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Core.Providers;

/// <summary>
/// Resolves a launch's spec for whoever asked it. Anonymous requests, and logged-in users without a credential of their
/// own for the repository (<see cref="IRepoCredentials"/>), get the shared answer (<see cref="ResolveCoalescer"/>). For a
/// user with one, the host is first asked without it (an answer shared by everyone: the repository is public and its
/// image is the public one); only when the host refuses is it asked again with the user's credential, and that answer is
/// the user's alone: cached under the user, its build slug (so its image and build names) including the user
/// (<see cref="ImageNaming.PrivateSlug"/>), the credential going with it to the clone and nowhere else.
/// </summary>
public sealed partial class RepoResolver(ResolveCoalescer coalescer, IRepoCredentials credentials, ILogger<RepoResolver> logger)
{
    /// <summary>The scope of anonymous answers checked against the host (shared by every user; only successes are kept).</summary>
    private const string CheckedScope = "\0checked";

    /// <param name="provider">The spec's provider.</param>
    /// <param name="spec">The spec, trailing slash stripped.</param>
    /// <param name="user">The logged-in hub user (<c>Binder:AuthEnabled</c>), or null.</param>
    /// <param name="cancellationToken">Stops waiting (a lookup others share goes on).</param>
    public async Task<ResolveResult> ResolveAsync(IRepoProvider provider, string spec, string? user, CancellationToken cancellationToken)
    {
        if (user is null || provider is not IPrivateRepoProvider own || own.CredentialUrlOf(spec) is not { } url)
        {
            return await coalescer.ResolveAsync(provider, spec, cancellationToken).ConfigureAwait(false);
        }
        RepoCredential? credential;
        try
        {
            credential = await credentials.FindAsync(user, url, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNoCredential(ex, user);
            credential = null;
        }
        if (credential is null) return await coalescer.ResolveAsync(provider, spec, cancellationToken).ConfigureAwait(false);

        var open = await coalescer.ResolveAsync(provider, spec, CheckedScope, (s, ct) => own.ResolveCheckedAsync(s, null, ct), cancellationToken)
            .ConfigureAwait(false);
        if (open is not ResolveResult.Failed { StatusCode: 404 }) return open;

        var mine = await coalescer.ResolveAsync(provider, spec, "\0user\0" + user, (s, ct) => own.ResolveCheckedAsync(s, credential, ct), cancellationToken)
            .ConfigureAwait(false);
        if (mine is not ResolveResult.Resolved resolved) return mine;
        LogPrivate(provider.Id, user);
        return resolved with
        {
            Repo = resolved.Repo with
            {
                BuildSlug = ImageNaming.PrivateSlug(resolved.Repo.BuildSlug, user),
                GitCredentials = credential.HelperText,
                Owner = user,
            },
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resolved a {Provider} repository with the credentials of hub user {User}: a private build")]
    private partial void LogPrivate(string provider, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The repository credentials of hub user {User} could not be read; resolving without them")]
    private partial void LogNoCredential(Exception exception, string user);
}
