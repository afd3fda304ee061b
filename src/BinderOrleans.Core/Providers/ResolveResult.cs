namespace BinderOrleans.Core.Providers;

/// <summary>Outcome of resolving a spec.</summary>
public abstract record ResolveResult
{
    private ResolveResult() { }

    /// <summary>The spec names an immutable ref.</summary>
    /// <param name="Repo">The resolved repository.</param>
    /// <param name="Notice">Something to tell the user first, as a <c>waiting</c> event (GitHub's master→HEAD fallback).</param>
    public sealed record Resolved(ResolvedRepo Repo, string? Notice = null) : ResolveResult;

    /// <summary>The spec could not be resolved; <paramref name="Message"/> is shown as is.</summary>
    public sealed record Failed(string Message, int StatusCode) : ResolveResult;

    /// <summary>BinderHub's message for a spec that names nothing (404).</summary>
    public static Failed NotFound(string providerId, string spec) =>
        new($"Could not resolve ref for {providerId}:{spec}. Double check your URL and that your repo is public.", 404);

    /// <summary>BinderHub's message for a lookup that went wrong: <c>Error resolving ref for {id}:{spec}: {reason}</c>.</summary>
    public static Failed Error(string providerId, string spec, string reason, int statusCode) =>
        new($"Error resolving ref for {providerId}:{spec}: {reason}", statusCode);
}

/// <summary>A repository at one immutable ref, with BinderHub's derived names.</summary>
/// <param name="RepoUrl">What the builder clones (BinderHub's <c>get_repo_url()</c>).</param>
/// <param name="ResolvedRef">Commit SHA or record version.</param>
/// <param name="RefUrl">Human browse URL of the ref (<c>binder_ref_url</c>).</param>
/// <param name="ResolvedSpec">Spec with the ref pinned (used in <c>binder_persistent_request</c>).</param>
/// <param name="BuildSlug">Input of the image and build names.</param>
/// <param name="UnresolvedRef">The ref as the user gave it.</param>
/// <param name="RepoQuota">Per-repository server quota from the provider's spec rules (0 = none).</param>
/// <param name="GitCredentials">
/// Credentials for cloning, in BinderHub's <c>GIT_CREDENTIAL_ENV</c> format: credential-helper lines joined by the two
/// characters <c>\n</c> (e.g. <c>username=…\npassword=…</c>), which repo2docker's helper expands with <c>echo -e</c>.
/// Null when the provider has none.
/// </param>
/// <param name="Owner">The logged-in user whose own credentials resolved it (a private build); null = shared.</param>
/// <param name="Image">
/// A pre-built image to launch as is (the <c>image</c> provider): used instead of the derived image name, pulled when
/// missing and never built. Null for everything that is built.
/// </param>
public sealed record ResolvedRepo(
    string RepoUrl,
    string ResolvedRef,
    string RefUrl,
    string ResolvedSpec,
    string BuildSlug,
    string UnresolvedRef,
    int RepoQuota = 0,
    string? GitCredentials = null,
    string? Image = null,
    string? Owner = null)
{
    /// <summary>Everything but the credentials, which must never reach a log through this record's text.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"RepoUrl = {RepoUrl}, ResolvedRef = {ResolvedRef}, RefUrl = {RefUrl}, ResolvedSpec = {ResolvedSpec}, BuildSlug = {BuildSlug}, ");
        builder.Append($"UnresolvedRef = {UnresolvedRef}, RepoQuota = {RepoQuota}, GitCredentials = {(GitCredentials is null ? "null" : "***")}, Image = {Image}, Owner = {Owner}");
        return true;
    }
}
