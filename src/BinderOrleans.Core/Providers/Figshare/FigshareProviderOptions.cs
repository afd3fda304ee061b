namespace BinderOrleans.Core.Providers.Figshare;

/// <summary>The <c>figshare</c> provider, section <c>Providers:Figshare</c>, plus the common spec rules.</summary>
public sealed class FigshareProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Figshare";

    public const string DefaultApiBaseUrl = "https://api.figshare.com/v2";

    /// <summary>
    /// <c>Providers:Figshare:ApiBaseUrl</c>: Figshare's API root (<c>{ApiBaseUrl}/articles/{id}/versions</c>).
    /// Default <c>https://api.figshare.com/v2</c>.
    /// </summary>
    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;
}
