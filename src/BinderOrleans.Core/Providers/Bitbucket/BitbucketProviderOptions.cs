namespace BinderOrleans.Core.Providers.Bitbucket;

/// <summary>The <c>bitbucket</c> provider (Bitbucket Cloud), section <c>Providers:Bitbucket</c>, plus the common spec rules.</summary>
public sealed class BitbucketProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Bitbucket";

    public const string DefaultHostname = "bitbucket.org";

    public const string DefaultApiBaseUrl = "https://api.bitbucket.org";

    /// <summary><c>Providers:Bitbucket:Hostname</c>: the host repositories are cloned from and browsed on. Default <c>bitbucket.org</c>.</summary>
    public string Hostname { get; set; } = DefaultHostname;

    /// <summary><c>Providers:Bitbucket:ApiBaseUrl</c>: the REST API root that <c>/2.0</c> hangs off. Default <c>https://api.bitbucket.org</c>.</summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary><c>Providers:Bitbucket:RequestTimeout</c>: longest wait for one API call. Default 20 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
