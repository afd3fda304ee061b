namespace BinderOrleans.Core.Metrics;

/// <summary>A prometheus-net histogram addressed by label values in declaration order.</summary>
public sealed class Histogram
{
    private readonly Prometheus.Histogram _histogram;

    internal Histogram(Prometheus.Histogram histogram) => _histogram = histogram;

    public void Observe(double value, params string[] labelValues) => _histogram.WithLabels(labelValues).Observe(value);

    public long Count(params string[] labelValues) => _histogram.WithLabels(labelValues).Count;
}
