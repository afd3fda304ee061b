namespace BinderOrleans.Core.Launches;

/// <summary>What a finished launch session did: input to metrics and the launch event log.</summary>
public sealed class LaunchReport
{
    public required string ProviderId { get; init; }
    public string? ProviderName { get; set; }
    public required string Spec { get; init; }
    public string? ResolvedRef { get; set; }
    public string? RepoUrl { get; set; }
    /// <summary>The request's Origin header (or Sec-Fetch-Site).</summary>
    public string? Origin { get; init; }
    /// <summary>The host that served the request (BinderHub's analytics <c>origin</c>).</summary>
    public string? Host { get; init; }
    public bool Succeeded { get; set; }
    /// <summary><c>pod_quota</c> or <c>repo_quota</c> when a quota refused the launch.</summary>
    public string? QuotaReason { get; set; }
    /// <summary>Time spent in the launcher, when it was called.</summary>
    public TimeSpan? LaunchElapsed { get; set; }
    /// <summary>The request carried a valid build token.</summary>
    public bool UsedBuildToken { get; init; }
    /// <summary>The launcher was called.</summary>
    public bool LaunchStarted { get; set; }
}

/// <summary>Told about every finished launch session (metrics, analytics event log).</summary>
public interface ILaunchObserver
{
    void OnLaunchFinished(LaunchReport report);
}

/// <summary>Observes nothing.</summary>
public sealed class NullLaunchObserver : ILaunchObserver
{
    public void OnLaunchFinished(LaunchReport report) { }
}
