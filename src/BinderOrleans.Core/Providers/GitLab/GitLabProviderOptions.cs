namespace BinderOrleans.Core.Providers.GitLab;

/// <summary>The <c>gl</c> provider (GitLab.com or a self-hosted GitLab), section <c>Providers:GitLab</c>, plus the common spec rules.</summary>
public sealed class GitLabProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:GitLab";

    public const string DefaultHostname = "gitlab.com";

    /// <summary><c>Providers:GitLab:Hostname</c>: the GitLab host. Default <c>gitlab.com</c>.</summary>
    public string Hostname { get; set; } = DefaultHostname;

    /// <summary>
    /// <c>Providers:GitLab:ApiBaseUrl</c>: the root that <c>/api/v4</c> hangs off; <c>{hostname}</c> is replaced by the host.
    /// Default <c>https://{hostname}</c>.
    /// </summary>
    public string ApiBaseUrl { get; set; } = "";

    /// <summary>
    /// <c>Providers:GitLab:AccessToken</c> (env <c>GITLAB_ACCESS_TOKEN</c>): an OAuth2 token, sent as
    /// <c>Authorization: Bearer …</c> (BinderHub's <c>access_token</c> query parameter; GitLab treats both alike). Default none.
    /// </summary>
    public string AccessToken { get; set; } = "";

    /// <summary>
    /// <c>Providers:GitLab:PrivateToken</c> (env <c>GITLAB_PRIVATE_TOKEN</c>): a personal access token, sent as the
    /// <c>PRIVATE-TOKEN</c> header (BinderHub's <c>private_token</c> query parameter) and given to builds as git credentials.
    /// Default none.
    /// </summary>
    public string PrivateToken { get; set; } = "";

    /// <summary><c>Providers:GitLab:RequestTimeout</c>: longest wait for one API call. Default 20 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public string EffectiveApiBaseUrl =>
        (ApiBaseUrl.Length > 0 ? ApiBaseUrl.Replace("{hostname}", Hostname, StringComparison.Ordinal) : $"https://{Hostname}").TrimEnd('/');

    /// <summary>BinderHub's <c>git_credentials</c> for GitLab: user <c>binderhub</c> with the private token.</summary>
    public string? GitCredentials => PrivateToken.Length > 0 ? $"username=binderhub\\npassword={PrivateToken}" : null;
}
