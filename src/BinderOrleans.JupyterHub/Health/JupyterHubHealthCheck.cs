using BinderOrleans.Core.Health;
using BinderOrleans.JupyterHub.Api;

namespace BinderOrleans.JupyterHub.Health;

/// <summary>BinderHub's <c>JupyterHub API</c> item of <c>/health</c>: <c>GET {ApiUrl}health</c> answers 2xx within 3 s.</summary>
internal sealed class JupyterHubHealthCheck : IBinderHealthCheck
{
    public const string ServiceName = "JupyterHub API";

    private readonly JupyterHubApi _api;

    public JupyterHubHealthCheck(JupyterHubApi api) => _api = api;

    public async Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var response = await _api.HealthAsync(cancellationToken).ConfigureAwait(false);
        return new BinderHealthResult(ServiceName, response.IsSuccess);
    }
}
