namespace BinderOrleans.Core.Providers;

/// <summary>
/// Settings every provider has (BinderHub's <c>RepoProvider</c> traits), read from the provider's section,
/// e.g. <c>Providers:GitHub</c> or <c>Providers:Git</c>. Patterns are .NET regular expressions matched at the start
/// of the spec as received, ignoring case (BinderHub's <c>re.match(pattern, spec, re.IGNORECASE)</c>).
/// </summary>
public class RepoProviderOptions
{
    /// <summary><c>Providers:&lt;Name&gt;:BannedSpecs</c>: specs refused with 403. Default none.</summary>
    public List<string> BannedSpecs { get; set; } = [];

    /// <summary><c>Providers:&lt;Name&gt;:AllowedSpecs</c>: when non-empty, every other spec is refused. Banned wins. Default none.</summary>
    public List<string> AllowedSpecs { get; set; } = [];

    /// <summary><c>Providers:&lt;Name&gt;:HighQuotaSpecs</c>: specs whose repository quota is <c>Binder:PerRepoQuotaHigher</c>.</summary>
    public List<string> HighQuotaSpecs { get; set; } = [];

    /// <summary><c>Providers:&lt;Name&gt;:SpecConfig</c>: per-spec overrides, applied in order (later matches win).</summary>
    public List<SpecConfigRule> SpecConfig { get; set; } = [];
}
