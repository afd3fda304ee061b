using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Registry;

/// <summary>
/// BinderHub's "Docker registry" item of <c>/health</c>: a manifest lookup of <c>&lt;prefix&gt;some-image-name:12345</c>.
/// Any answer, "not found" included, is healthy; unreachable, 5xx and refused credentials are not.
/// </summary>
internal sealed partial class RegistryHealthCheck : IBinderHealthCheck
{
    public const string ServiceName = "Docker registry";

    private readonly RegistryClient _client;
    private readonly string _probeImage;
    private readonly ILogger _logger;

    public RegistryHealthCheck(RegistryClient client, IOptions<SiteOptions> site, ILogger<RegistryHealthCheck> logger)
    {
        _client = client;
        _probeImage = site.Value.ImagePrefix + "some-image-name:12345";
        _logger = logger;
    }

    public async Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var result = await _client.CheckManifestAsync(RegistryImageName.Parse(_probeImage), cancellationToken).ConfigureAwait(false);
        if (result.Status == ManifestStatus.Failed) LogUnhealthy(result.Error);
        return new BinderHealthResult(ServiceName, result.Status != ManifestStatus.Failed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry health check failed: {Error}")]
    private partial void LogUnhealthy(string? error);
}
