namespace BinderOrleans.JupyterHub.Auth;

/// <summary>
/// One entry of <c>JupyterHub:Auth:RepoCredentials</c>: repositories under <see cref="UrlPrefix"/> are resolved and cloned
/// with the logged-in user's own token, read from their hub <c>auth_state</c> (e.g. the GitHub token OAuthenticator keeps
/// there), when the public answer is a refusal.
/// </summary>
public sealed class HubRepoCredentialRule
{
    /// <summary>
    /// <c>UrlPrefix</c>: an http(s) URL ending in <c>/</c>, such as <c>https://github.com/</c>; a repository URL that starts
    /// with it (scheme and host compared without case) gets the credential. Required.
    /// </summary>
    public string UrlPrefix { get; set; } = "";

    /// <summary>
    /// <c>AuthStateKey</c>: where the token is in <c>auth_state</c>, a key or a dotted path (<c>token_response.access_token</c>).
    /// Default <c>access_token</c> (GitHub's, GitLab's and the generic OAuthenticator's).
    /// </summary>
    public string AuthStateKey { get; set; } = DefaultAuthStateKey;

    /// <summary><c>Username</c>: the user name git sends with the token. Default <c>oauth2</c> (GitHub and GitLab accept it).</summary>
    public string Username { get; set; } = DefaultUsername;

    public const string DefaultAuthStateKey = "access_token";

    public const string DefaultUsername = "oauth2";

    /// <summary>Whether <paramref name="repoUrl"/> is under <see cref="UrlPrefix"/>.</summary>
    internal bool Matches(string repoUrl) => UrlPrefix.Length > 0 && repoUrl.StartsWith(UrlPrefix, StringComparison.OrdinalIgnoreCase);
}
