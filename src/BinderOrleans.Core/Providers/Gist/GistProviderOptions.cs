namespace BinderOrleans.Core.Providers.Gist;

/// <summary>
/// The <c>gist</c> provider, section <c>Providers:Gist</c>, plus the common spec rules. The API host and credentials are
/// the GitHub provider's (<c>Providers:GitHub:ApiBaseUrl</c>, <c>AccessToken</c>, <c>ClientId</c>/<c>ClientSecret</c>,
/// <c>RequestTimeout</c>), so a GitHub Enterprise site serves its own gists.
/// </summary>
public sealed class GistProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Gist";

    public const string DefaultHostname = "gist.github.com";

    /// <summary><c>Providers:Gist:Hostname</c>: the host gists are cloned from and browsed at. Default <c>gist.github.com</c>.</summary>
    public string Hostname { get; set; } = DefaultHostname;

    /// <summary><c>Providers:Gist:AllowSecretGist</c>: launch secret (unlisted) gists too (BinderHub's <c>allow_secret_gist</c>). Default false.</summary>
    public bool AllowSecretGist { get; set; }
}
