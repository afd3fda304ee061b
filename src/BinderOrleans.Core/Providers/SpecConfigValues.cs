namespace BinderOrleans.Core.Providers;

/// <summary>The per-spec settings BinderHub consumes (only <c>quota</c>).</summary>
public sealed class SpecConfigValues
{
    /// <summary>Repository quota for matching specs (0 = none); unset leaves the quota as it was.</summary>
    public int? Quota { get; set; }
}
