namespace BinderOrleans.Core.Launches;

/// <summary>Site-wide and per-repository caps on running servers, checked before a build and before a launch.</summary>
public interface ILaunchQuota
{
    Task<QuotaDecision> CheckAsync(QuotaRequest request, CancellationToken cancellationToken);
}

/// <param name="ImageName">Image with tag; servers count for the repo when their image matches without tag.</param>
/// <param name="RepoUrl">For the message.</param>
/// <param name="RepoQuota">The repository's quota (0 = none), from the provider's spec rules.</param>
public sealed record QuotaRequest(string ImageName, string RepoUrl, int RepoQuota);

/// <param name="Allowed">False when a quota is reached.</param>
/// <param name="Message">BinderHub's message when refused.</param>
/// <param name="Reason"><c>pod_quota</c> or <c>repo_quota</c> when refused (the metric's status label).</param>
public sealed record QuotaDecision(bool Allowed, string? Message = null, string? Reason = null)
{
    public static QuotaDecision Allow { get; } = new(true);
}

/// <summary>No quotas: every launch is allowed.</summary>
public sealed class NoLaunchQuota : ILaunchQuota
{
    public Task<QuotaDecision> CheckAsync(QuotaRequest request, CancellationToken cancellationToken) => Task.FromResult(QuotaDecision.Allow);
}
