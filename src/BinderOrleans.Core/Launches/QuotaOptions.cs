namespace BinderOrleans.Core.Launches;

/// <summary>Launch quotas, section <c>Quota</c>. Per-repository quotas come from the providers' spec rules.</summary>
public sealed class QuotaOptions
{
    public const string Section = "Quota";

    /// <summary>
    /// <c>Quota:Total</c>: most servers running at once on this site (BinderHub's <c>LaunchQuota.total_quota</c>).
    /// Unset (default) = no total quota; 0 = no launches at all (maintenance).
    /// </summary>
    public int? Total { get; set; }
}
