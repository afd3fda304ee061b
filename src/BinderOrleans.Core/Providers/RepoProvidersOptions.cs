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

    /// <summary>Default of <see cref="RefCacheSeconds"/>.</summary>
    public const int DefaultRefCacheSeconds = 5;

    /// <summary>
    /// <c>Providers:RefCacheSeconds</c>: how long a resolved ref (a branch or <c>HEAD</c> turned into a commit) is reused
    /// for the same spec; concurrent requests for one spec always share one lookup. 0 keeps only the sharing.
    /// Default 5.
    /// </summary>
    public int RefCacheSeconds { get; set; } = DefaultRefCacheSeconds;
}
