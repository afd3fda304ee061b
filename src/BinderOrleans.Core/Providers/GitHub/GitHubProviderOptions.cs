namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>The <c>gh</c> provider, section <c>Providers:GitHub</c>, plus the common spec rules.</summary>
public sealed class GitHubProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:GitHub";

    public const string DefaultHostname = "github.com";

    /// <summary><c>Providers:GitHub:Hostname</c>: the GitHub (Enterprise) host. Default <c>github.com</c>.</summary>
    public string Hostname { get; set; } = DefaultHostname;

    /// <summary>
    /// <c>Providers:GitHub:ApiBaseUrl</c>: REST API root; <c>{hostname}</c> is replaced by the host. Default
    /// <c>https://api.github.com</c> for github.com, else <c>https://{hostname}/api/v3</c> (GitHub Enterprise Server).
    /// </summary>
    public string ApiBaseUrl { get; set; } = "";

    /// <summary><c>Providers:GitHub:AccessToken</c> (env <c>GITHUB_ACCESS_TOKEN</c>): sent as <c>Authorization: token …</c>. Default none.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary><c>Providers:GitHub:ClientId</c> (env <c>GITHUB_CLIENT_ID</c>): OAuth app id, used with the secret when no token is set.</summary>
    public string ClientId { get; set; } = "";

    /// <summary><c>Providers:GitHub:ClientSecret</c> (env <c>GITHUB_CLIENT_SECRET</c>).</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary><c>Providers:GitHub:RequestTimeout</c>: longest wait for one API call. Default 20 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public string EffectiveApiBaseUrl =>
        (ApiBaseUrl.Length > 0
            ? ApiBaseUrl.Replace("{hostname}", Hostname, StringComparison.Ordinal)
            : string.Equals(Hostname, DefaultHostname, StringComparison.OrdinalIgnoreCase) ? "https://api.github.com" : $"https://{Hostname}/api/v3")
        .TrimEnd('/');

    /// <summary>BinderHub's <c>git_credentials</c>: the token as user with <c>x-oauth-basic</c>, or client id + token.</summary>
    public string? GitCredentials =>
        AccessToken.Length == 0 ? null
        : ClientId.Length > 0 ? $"username={ClientId}\\npassword={AccessToken}"
        : $"username={AccessToken}\\npassword=x-oauth-basic";
}
