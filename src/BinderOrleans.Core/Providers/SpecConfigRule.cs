namespace BinderOrleans.Core.Providers;

/// <summary>One entry of BinderHub's <c>spec_config</c>: <c>{ Pattern, Config: { Quota } }</c>.</summary>
public sealed class SpecConfigRule
{
    /// <summary>Regular expression matched at the start of the spec, ignoring case.</summary>
    public string Pattern { get; set; } = "";

    /// <summary>What applies to matching specs.</summary>
    public SpecConfigValues Config { get; set; } = new();
}
