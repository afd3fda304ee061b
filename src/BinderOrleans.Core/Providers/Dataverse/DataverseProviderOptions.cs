namespace BinderOrleans.Core.Providers.Dataverse;

/// <summary>The <c>dataverse</c> provider, section <c>Providers:Dataverse</c>, plus the common spec rules.</summary>
public sealed class DataverseProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Dataverse";

    /// <summary>
    /// <c>Providers:Dataverse:AllowedHosts</c>: the Dataverse installations (host or host:port) a DOI may lead to, e.g.
    /// <c>dataverse.harvard.edu</c>. Default empty: any installation, as BinderHub (which asks whichever host the DOI
    /// leads to).
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
}
