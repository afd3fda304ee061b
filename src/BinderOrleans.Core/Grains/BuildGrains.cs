using BinderOrleans.Core.BuildLogs;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Grains;

/// <summary>The build grains of this process, keyed by image name (Orleans' grain factory in miniature).</summary>
public sealed class BuildGrains
{
    private readonly GrainDirectory<BuildGrain> _directory;
    private readonly IImageRegistry _registry;
    private readonly IImageBuilder _builder;
    private readonly BuildOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<IBuildGrain> _logger;
    private readonly CancellationToken _stopping;
    private readonly BinderMetrics _metrics;
    private readonly IBuildLogStore? _buildLogs;

    public BuildGrains(IImageRegistry registry, IImageBuilder builder, BuildQueue queue, IOptions<BuildOptions> options,
        TimeProvider time, BinderMetrics metrics, ILogger<IBuildGrain> logger, IHostApplicationLifetime lifetime,
        IBuildLogStore? buildLogs = null)
    {
        _buildLogs = buildLogs;
        _registry = registry;
        _builder = builder;
        Queue = queue;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _stopping = lifetime.ApplicationStopping;
        // A built image is found by the next request's lookup, so a successful grain goes at once; a failed one stays a
        // while and replays its log, so a broken repository is not rebuilt on every click.
        _directory = new GrainDirectory<BuildGrain>(time, g => g.Outcome is { ImageReady: true } ? TimeSpan.Zero : _options.FailedBuildLinger);
    }

    public BuildQueue Queue { get; }

    public int ActiveCount => _directory.Count;

    /// <summary>The grain for <paramref name="request"/>'s image: the running one, or a new one that starts now.</summary>
    public IBuildGrain Attach(BuildRequest request, out bool created) =>
        _directory.GetOrActivate(request.ImageName,
            _ => new BuildGrain(request, _registry, _builder, Queue, _options, _time, _metrics, _logger, _buildLogs).Start(_stopping),
            out created);

    internal BuildGrain? Find(string imageName) => _directory.Find(imageName);
}
