namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// What the data-repository providers (zenodo, figshare, dataverse, hydroshare, ckan) share, read from section
/// <c>Providers</c> (beside <c>Providers:Enabled</c>).
/// </summary>
public sealed class DataRepositoryOptions
{
    public const string Section = "Providers";

    public const string DefaultDoiBaseUrl = "https://doi.org";

    /// <summary>
    /// <c>Providers:DoiBaseUrl</c>: the DOI resolver the data providers ask (<c>{base}/{doi}</c>, redirects followed).
    /// Default <c>https://doi.org</c>. Browse links (<c>binder_ref_url</c>) always name <c>https://doi.org</c>, as BinderHub's do.
    /// </summary>
    public string DoiBaseUrl { get; set; } = DefaultDoiBaseUrl;

    /// <summary><c>Providers:Data</c>: sizes and counts one record may bring in (<see cref="DataLimits"/>).</summary>
    public DataLimits Data { get; set; } = new();

    /// <summary><c>Providers:DataRequestTimeout</c>: longest wait for one data-repository API call or DOI hop. Default 20 s.</summary>
    public TimeSpan DataRequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary><c>Providers:DownloadTimeout</c>: longest time all of one record's downloads may take. Default 30 minutes.</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
