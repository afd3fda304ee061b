using BinderOrleans.Core;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Metrics;
using BinderOrleans.Core.Options;
using BinderOrleans.IntegrationTests.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace BinderOrleans.IntegrationTests.Retention;

/// <summary>
/// What a retention pass runs against, for one test: a one-silo cluster holding the real image-use book on a fake
/// clock, this run's Docker resources, and the services a pass asks for (the base image, the metrics, the running servers).
/// </summary>
internal sealed class RetentionRig : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private RetentionRig(InProcessTestCluster cluster, FakeTimeProvider clock)
    {
        Cluster = cluster;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }

    public DockerTestResources Docker { get; } = new();

    public InProcessTestCluster Cluster { get; }

    public BinderMetrics Metrics { get; } = new(new PrometheusRegistry());

    public IImageUseGrain Book => Cluster.Client.GetGrain<IImageUseGrain>(IImageUseGrain.ClusterKey);

    /// <summary><c>Docker:Labels</c> of this run: what it builds and starts carries it, and only that is looked at.</summary>
    public Dictionary<string, string> Labels => new() { [DockerTestResources.LabelKey] = Docker.RunId };

    public static async Task<RetentionRig> StartAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddBinderCore();
            host.Services.AddSingleton<TimeProvider>(clock);
        });
        var rig = new RetentionRig(builder.Build(), clock);
        await rig.Cluster.DeployAsync().WaitAsync(Timeout);
        return rig;
    }

    /// <summary>Records a use of each image now (the book's clock).</summary>
    public async Task UseAsync(params string[] images)
    {
        foreach (var image in images) await Book.RecordAsync(image).AsTask().WaitAsync(Timeout);
    }

    /// <summary>The services a pass asks for: the silo's grains, <paramref name="baseImage"/> as Build:BaseImage, and the running servers.</summary>
    public IServiceProvider PassServices(string baseImage = BuildOptions.DefaultBaseImage, IRunningServers? servers = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<IGrainFactory>(Cluster.Client)
            .AddSingleton(Options.Create(new BuildOptions { BaseImage = baseImage }))
            .AddSingleton(Metrics);
        if (servers is not null) services.AddSingleton(servers);
        return services.BuildServiceProvider();
    }

    public ImageRetention Retention(IImageStore store, ImageRetentionOptions options, IServiceProvider services,
        Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>>? moreInUse = null) =>
        new(store, options, services, Clock, NullLogger<ImageRetention>.Instance, moreInUse);

    public static async Task<RetentionOutcome> RunAsync(ImageRetention retention)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var outcome = await retention.RunOnceAsync(cts.Token);
        Assert.Null(outcome.Abandoned);
        Assert.Empty(outcome.Errors);
        return outcome;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync().WaitAsync(Timeout);
        }
        finally
        {
            await Cluster.DisposeAsync();
            await Docker.DisposeAsync();
        }
    }
}
