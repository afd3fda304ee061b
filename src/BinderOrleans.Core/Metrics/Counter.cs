namespace BinderOrleans.Core.Metrics;

/// <summary>A prometheus-net counter addressed by label values in declaration order.</summary>
public sealed class Counter
{
    private readonly Prometheus.Counter _counter;

    internal Counter(Prometheus.Counter counter) => _counter = counter;

    public void Inc(params string[] labelValues) => _counter.WithLabels(labelValues).Inc();

    public void Add(double amount, params string[] labelValues) => _counter.WithLabels(labelValues).Inc(amount);

    public double Value(params string[] labelValues) => _counter.WithLabels(labelValues).Value;
}
