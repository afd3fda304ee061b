namespace BinderOrleans.Core.Metrics;

/// <summary>A prometheus-net gauge addressed by label values in declaration order.</summary>
public sealed class Gauge
{
    private readonly Prometheus.Gauge _gauge;

    internal Gauge(Prometheus.Gauge gauge) => _gauge = gauge;

    public void Set(double value, params string[] labelValues) => _gauge.WithLabels(labelValues).Set(value);

    public void Add(double delta, params string[] labelValues) => _gauge.WithLabels(labelValues).Inc(delta);

    public double Value(params string[] labelValues) => _gauge.WithLabels(labelValues).Value;
}
