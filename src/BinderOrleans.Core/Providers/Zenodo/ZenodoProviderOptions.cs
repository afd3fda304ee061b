namespace BinderOrleans.Core.Providers.Zenodo;

/// <summary>The <c>zenodo</c> provider, section <c>Providers:Zenodo</c>, plus the common spec rules.</summary>
public sealed class ZenodoProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Zenodo";

    public const string DefaultBaseUrl = "https://zenodo.org";

    /// <summary>
    /// <c>Providers:Zenodo:BaseUrl</c>: the Zenodo (or other InvenioRDM) site. A DOI must lead to a record page on this
    /// host; its records are read from <c>{BaseUrl}/api/records/{id}</c>. Default <c>https://zenodo.org</c>.
    /// </summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;
}
