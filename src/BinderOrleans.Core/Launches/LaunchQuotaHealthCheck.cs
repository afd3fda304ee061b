using BinderOrleans.Core.Health;
using Microsoft.Extensions.Options;
using BinderOrleans.Core.Builds;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// BinderHub's informational <c>Pod quota</c> item of <c>/health</c> (read by the federation redirector): running
/// servers, running builds, and whether together they are within <c>Quota:Total</c>. Never fails <c>/health</c>.
/// </summary>
internal sealed class LaunchQuotaHealthCheck : IBinderHealthCheck
{
    public const string ServiceName = "Pod quota";

    private readonly IRunningServers _servers;
    private readonly IRunningBuilds _builds;
    private readonly IOptionsMonitor<QuotaOptions> _options;

    public LaunchQuotaHealthCheck(IRunningServers servers, IRunningBuilds builds, IOptionsMonitor<QuotaOptions> options)
    {
        _servers = servers;
        _builds = builds;
        _options = options;
    }

    public async Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var quota = _options.CurrentValue.Total;
        var running = await _servers.ListAsync(cancellationToken).ConfigureAwait(false);
        if (running.Error is not null)
        {
            return new BinderHealthResult(ServiceName, false, new Dictionary<string, object?> { ["quota"] = quota, ["error"] = running.Error }, IgnoreFailure: true);
        }
        var users = running.Images.Count;
        var builds = await _builds.CountAsync(cancellationToken).ConfigureAwait(false);
        var total = users + builds;
        return new BinderHealthResult(ServiceName, quota is null || total <= quota, new Dictionary<string, object?>
        {
            ["total_pods"] = total,
            ["build_pods"] = builds,
            ["user_pods"] = users,
            ["quota"] = quota,
        }, IgnoreFailure: true);
    }
}
