namespace BinderOrleans.Core.Providers.HydroShare;

/// <summary>The <c>hydroshare</c> provider, section <c>Providers:HydroShare</c>, plus the common spec rules.</summary>
public sealed class HydroShareProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:HydroShare";

    public const string DefaultBaseUrl = "https://www.hydroshare.org";

    /// <summary>
    /// <c>Providers:HydroShare:BaseUrl</c>: the HydroShare site (<c>{BaseUrl}/hsapi/resource/{id}/scimeta/elements</c>,
    /// <c>{BaseUrl}/resource/{id}</c>, the bag at <c>{BaseUrl}/django_s3/download/bags/{id}.zip</c>). Default <c>https://www.hydroshare.org</c>.
    /// </summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;
}
