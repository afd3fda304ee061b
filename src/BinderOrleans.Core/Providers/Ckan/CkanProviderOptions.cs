namespace BinderOrleans.Core.Providers.Ckan;

/// <summary>
/// The <c>ckan</c> provider, section <c>Providers:CKAN</c>, plus the common spec rules. The spec names the CKAN site
/// itself (a dataset URL), so there is no base URL to set; <c>AllowedSpecs</c> limits it to chosen sites.
/// </summary>
public sealed class CkanProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:CKAN";
}
