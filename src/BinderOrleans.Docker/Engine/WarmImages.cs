using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Hosting;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Launches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// <c>Docker:WarmImages</c>: every <c>Docker:WarmInterval</c>, pulls whichever of the N most launched images (the
/// cluster's image-use book: most uses, then most recent) the local engine lacks, so a cached launch never waits for
/// a pull. Engine retention keeps these images.
/// </summary>
internal sealed partial class WarmImages : PeriodicService
{
    private readonly IServiceProvider _services;
    private readonly IImagePuller _puller;
    private readonly DockerOptions _options;
    private readonly ILogger _logger;

    public WarmImages(IServiceProvider services, IImagePuller puller, IOptions<DockerOptions> options, TimeProvider time, ILogger<WarmImages> logger)
        : base(options.Value.WarmInterval, time)
    {
        _services = services;
        _puller = puller;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Runs only with <c>Docker:WarmImages</c> above 0.</summary>
    public override Task StartAsync(CancellationToken cancellationToken) => _options.WarmImages > 0 ? base.StartAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>The images to keep warm now, most used first.</summary>
    public async Task<IReadOnlyList<string>> ChooseAsync(CancellationToken cancellationToken)
    {
        if (_options.WarmImages <= 0) return [];
        // The silo's grain factory, asked for when needed (the silo starts after the host's services are made).
        var uses = await _services.GetRequiredService<IGrainFactory>().GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey).ListAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        return uses.OrderByDescending(u => u.Uses).ThenByDescending(u => u.LastUsed).Take(_options.WarmImages).Select(u => u.Image).ToList();
    }

    /// <summary>The warm images as retention's "in use" entries.</summary>
    public async Task<IReadOnlyDictionary<string, string>> KeptAsync(CancellationToken cancellationToken) =>
        (await ChooseAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(i => i, _ => "it is kept warm (Docker:WarmImages)", StringComparer.Ordinal);

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WarmOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogPassFailed(ex);
        }
    }

    /// <summary>One pass; returns the images it pulled.</summary>
    internal async Task<IReadOnlyList<string>> WarmOnceAsync(CancellationToken cancellationToken)
    {
        var pulled = new List<string>();
        foreach (var image in await ChooseAsync(cancellationToken).ConfigureAwait(false))
        {
            BinderEvent? last = null;
            var pulling = false;
            await foreach (var e in _puller.EnsureLocalAsync(image, cancellationToken).ConfigureAwait(false))
            {
                pulling = true;
                last = e;
            }
            if (last?.Phase == BinderPhase.Failed) LogWarmFailed(image, last.Message);
            else if (pulling) pulled.Add(image);
        }
        if (pulled.Count > 0) LogWarmed(pulled.Count, string.Join(", ", pulled));
        return pulled;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Count} warm images (Docker:WarmImages): {Images}")]
    private partial void LogWarmed(int count, string images);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping {Image} warm failed: {Error}")]
    private partial void LogWarmFailed(string image, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm image pass failed; trying again next interval")]
    private partial void LogPassFailed(Exception exception);
}
