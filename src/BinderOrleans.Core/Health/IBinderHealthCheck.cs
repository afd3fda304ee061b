namespace BinderOrleans.Core.Health;

/// <summary>One item of <c>/health</c> (BinderHub's <c>checks</c> list): registry, JupyterHub, Docker engine, quota.</summary>
public interface IBinderHealthCheck
{
    Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken);
}

/// <param name="Service">BinderHub's service name, e.g. <c>Docker registry</c>, <c>JupyterHub API</c>.</param>
/// <param name="Ok">Healthy.</param>
/// <param name="Details">Extra fields written next to <c>service</c> and <c>ok</c>.</param>
/// <param name="IgnoreFailure">Informational item (BinderHub's <c>_ignore_failure</c>): does not fail <c>/health</c>.</param>
public sealed record BinderHealthResult(string Service, bool Ok, IReadOnlyDictionary<string, object?>? Details = null, bool IgnoreFailure = false);
