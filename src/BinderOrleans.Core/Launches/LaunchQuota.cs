using BinderOrleans.Core.Naming;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// BinderHub's launch quota: refuses when the site runs <c>Quota:Total</c> servers, or when the repository's
/// quota is reached by servers whose image (without tag) is this repository's image. Servers are counted
/// from the launch backend through <see cref="IRunningServers"/>.
/// </summary>
internal sealed partial class LaunchQuota : ILaunchQuota
{
    public const string TotalMessage = "Too many users on this BinderHub! Try again soon.";

    private readonly IRunningServers _servers;
    private readonly IOptionsMonitor<QuotaOptions> _options;
    private readonly ILogger<LaunchQuota> _logger;

    public LaunchQuota(IRunningServers servers, IOptionsMonitor<QuotaOptions> options, ILogger<LaunchQuota> logger)
    {
        _servers = servers;
        _options = options;
        _logger = logger;
    }

    public static string RepoMessage(string repoUrl) => $"Too many users running {repoUrl}! Try again soon.";

    public async Task<QuotaDecision> CheckAsync(QuotaRequest request, CancellationToken cancellationToken)
    {
        var total = _options.CurrentValue.Total;
        var repoQuota = request.RepoQuota;
        if (total is null && repoQuota <= 0) return QuotaDecision.Allow;

        var running = await _servers.ListAsync(cancellationToken).ConfigureAwait(false);
        if (running.Error is not null)
        {
            // Failing open: a backend that cannot list its servers cannot launch either, and the launch reports that.
            LogListFailed(running.Error);
            return QuotaDecision.Allow;
        }

        var count = running.Images.Count;
        if (total is { } limit && count >= limit)
        {
            LogRefused(request.RepoUrl, "pod_quota", count, limit);
            return new QuotaDecision(false, TotalMessage, "pod_quota");
        }
        if (repoQuota <= 0) return QuotaDecision.Allow;

        var image = ImageNaming.WithoutTag(request.ImageName);
        var matching = running.Images.Count(i => i is not null && string.Equals(ImageNaming.WithoutTag(i), image, StringComparison.Ordinal));
        if (matching >= repoQuota)
        {
            LogRefused(request.RepoUrl, "repo_quota", matching, repoQuota);
            return new QuotaDecision(false, RepoMessage(request.RepoUrl), "repo_quota");
        }
        if (matching * 2 >= repoQuota) LogNearQuota(request.RepoUrl, matching, repoQuota);
        return QuotaDecision.Allow;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count running servers for the launch quota; allowing the launch: {Error}")]
    private partial void LogListFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launch of {RepoUrl} refused ({Reason}): {Count} servers running, quota {Quota}")]
    private partial void LogRefused(string repoUrl, string reason, int count, int quota);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RepoUrl} is using {Count} of its {Quota} servers")]
    private partial void LogNearQuota(string repoUrl, int count, int quota);
}
