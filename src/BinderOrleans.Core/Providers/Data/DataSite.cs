namespace BinderOrleans.Core.Providers.Data;

/// <summary>Whether a URL a DOI led to belongs to a configured repository site (its host, port and path prefix).</summary>
internal static class DataSite
{
    /// <param name="site">The site's base URL, ending with <c>/</c>.</param>
    /// <param name="url">Where the DOI led.</param>
    public static bool Contains(Uri site, Uri url) =>
        string.Equals(url.Host, site.Host, StringComparison.OrdinalIgnoreCase)
        && url.Port == site.Port
        && url.AbsolutePath.StartsWith(site.AbsolutePath, StringComparison.Ordinal);
}
