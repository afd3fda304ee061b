using System.Text;
using Prometheus;

namespace BinderOrleans.Core.Metrics;

/// <summary>
/// The metrics <c>/metrics</c> exposes: a prometheus-net <see cref="CollectorRegistry"/> of its own (so tests and
/// several hosts in one process never share counts), plus, from <see cref="CreateWithProcessMetrics"/>, the process and
/// .NET runtime metrics prometheus_client's default registry gives BinderHub, and Orleans' own meter.
/// </summary>
public sealed class PrometheusRegistry : IDisposable
{
    /// <summary>The text exposition format 0.0.4, as BinderHub serves it.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The .NET runtime's meter.</summary>
    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Orleans' meter (silo and client instruments).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    private readonly IMetricFactory _factory;
    private IDisposable? _runtimeMeters;

    public PrometheusRegistry()
    {
        Collectors = Prometheus.Metrics.NewCustomRegistry();
        _factory = Prometheus.Metrics.WithCustomRegistry(Collectors);
    }

    /// <summary>The prometheus-net registry behind it, for the exporter.</summary>
    public CollectorRegistry Collectors { get; }

    /// <summary>
    /// A registry that also carries <c>process_*</c> and <c>dotnet_*</c> metrics (prometheus-net's
    /// <see cref="DotNetStats"/>), the runtime's own <c>System.Runtime</c> meter (GC, thread pool, JIT, exceptions) and
    /// Orleans' <c>Microsoft.Orleans</c> meter (<c>microsoft_orleans_orleans_*</c>: activations, messaging, membership, grain calls).
    /// </summary>
    public static PrometheusRegistry CreateWithProcessMetrics()
    {
        var registry = new PrometheusRegistry();
        DotNetStats.Register(registry.Collectors);
        registry._runtimeMeters = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry.Collectors,
            MetricFactory = registry._factory,
            InstrumentFilterPredicate = instrument => instrument.Meter.Name is RuntimeMeter or OrleansMeter,
        });
        return registry;
    }

    /// <summary>A counter, exposed with the <c>_total</c> suffix as prometheus_client exposes BinderHub's.</summary>
    public Counter Counter(string name, string help, params string[] labelNames) =>
        new(_factory.CreateCounter(name + "_total", help, labelNames));

    public Gauge Gauge(string name, string help, params string[] labelNames) =>
        new(_factory.CreateGauge(name, help, labelNames));

    public Histogram Histogram(string name, string help, double[] buckets, params string[] labelNames) =>
        new(_factory.CreateHistogram(name, help, new HistogramConfiguration { Buckets = buckets, LabelNames = labelNames }));

    /// <summary>Everything in the text exposition format 0.0.4.</summary>
    public async Task<string> RenderAsync(CancellationToken cancellationToken = default)
    {
        using var text = new MemoryStream();
        await Collectors.CollectAndExportAsTextAsync(text, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary><see cref="RenderAsync"/> for callers that cannot await (tests, benchmarks).</summary>
    public string Render() => RenderAsync().GetAwaiter().GetResult();

    public void Dispose() => _runtimeMeters?.Dispose();
}
