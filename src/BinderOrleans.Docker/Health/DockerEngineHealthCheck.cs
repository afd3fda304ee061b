using BinderOrleans.Core.Health;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;

namespace BinderOrleans.Docker.Health;

/// <summary>The <c>Docker engine</c> item of <c>/health</c>: the engine answers <c>/_ping</c>; details give its version.</summary>
internal sealed class DockerEngineHealthCheck(IDockerClient engine) : IBinderHealthCheck
{
    public const string ServiceName = "Docker engine";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await engine.PingAsync(timeout.Token).ConfigureAwait(false);
            var version = await engine.GetVersionAsync(timeout.Token).ConfigureAwait(false);
            return new BinderHealthResult(ServiceName, true, new Dictionary<string, object?>
            {
                ["version"] = version.Version,
                ["api_version"] = version.APIVersion,
            });
        }
        catch (Exception ex) when (ex is DockerEngineException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new BinderHealthResult(ServiceName, false, new Dictionary<string, object?> { ["error"] = ex is OperationCanceledException ? "timed out" : ex.Message });
        }
    }
}
