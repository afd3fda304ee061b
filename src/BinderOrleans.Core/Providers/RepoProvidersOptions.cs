namespace BinderOrleans.Core.Providers;

/// <summary>Which providers this site offers, section <c>Providers</c>.</summary>
public sealed class RepoProvidersOptions
{
    public const string Section = "Providers";

    /// <summary>
    /// <c>Providers:Enabled</c>: provider ids (<c>gh</c>, <c>gist</c>, <c>git</c>, <c>gl</c>, <c>zenodo</c>, …) offered, in
    /// order (BinderHub's <c>repo_providers</c>). Default: all of them. Leaving out <c>git</c> is BinderHub's advice for
    /// sites that must not clone arbitrary URLs.
    /// </summary>
    public List<string>? Enabled { get; set; }
}
