namespace BinderOrleans.Core.Providers.Git;

/// <summary>The <c>git</c> provider (any git URL), section <c>Providers:Git</c>, plus the common spec rules.</summary>
public sealed class GitProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Git";

    /// <summary>
    /// The schemes allowed when none are configured: BinderHub's <c>allowed_protocols</c> without ssh. An anonymous visitor
    /// has no key, so ssh would only make the service open connections to hosts of the visitor's choosing.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultAllowedSchemes = ["https", "http", "git"];

    /// <summary>
    /// <c>Providers:Git:AllowedSchemes</c>: URL schemes that may be cloned; setting it replaces the default
    /// (https, http, git). <c>ssh</c> (which also admits the scp form <c>user@host:path</c>) only when listed.
    /// <c>file</c> is for tests only: it lets users read the server's disk. Compared in lower case;
    /// a spec's URL must also name its host (<c>scheme://host/…</c>, or scp-style <c>user@host:path</c>, read as ssh), and
    /// git gets the canonical URL with <c>GIT_ALLOW_PROTOCOL</c> set to exactly these schemes.
    /// </summary>
    public List<string>? AllowedSchemes { get; set; }

    /// <summary><c>Providers:Git:LsRemoteTimeout</c>: longest wait for <c>git ls-remote</c>. Default 30 s.</summary>
    public TimeSpan LsRemoteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>Providers:Git:GitCredentials</c>: credential-helper text (<c>username=…\npassword=…</c>) given to builds. Default none.</summary>
    public string GitCredentials { get; set; } = "";

    /// <summary><see cref="AllowedSchemes"/> in canonical lower case, or the default.</summary>
    public IReadOnlyList<string> EffectiveAllowedSchemes =>
        AllowedSchemes is { Count: > 0 } configured
            ? configured.Select(s => s.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray()
            : DefaultAllowedSchemes;

    /// <summary>
    /// What a build may clone: <see cref="EffectiveAllowedSchemes"/> plus <c>https</c>, the scheme of every clone URL the
    /// hosted providers (gh, gist, gl) make from their configured host names.
    /// </summary>
    public IReadOnlyList<string> EffectiveCloneSchemes => EffectiveAllowedSchemes.Union(["https"], StringComparer.Ordinal).ToArray();
}
