using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace BinderOrleans.Core.Metrics;

/// <summary>
/// A minimal Prometheus text-format registry (counters, gauges, histograms with labels). prometheus-net is not
/// available to us; the exposition format is small and stable, so we write it ourselves.
/// </summary>
public sealed class PrometheusRegistry
{
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    public Counter Counter(string name, string help, params string[] labelNames) =>
        (Counter)_families.GetOrAdd(name, n => new Counter(n, help, labelNames));

    public Gauge Gauge(string name, string help, params string[] labelNames) =>
        (Gauge)_families.GetOrAdd(name, n => new Gauge(n, help, labelNames));

    public Histogram Histogram(string name, string help, double[] buckets, params string[] labelNames) =>
        (Histogram)_families.GetOrAdd(name, n => new Histogram(n, help, buckets, labelNames));

    /// <summary>Text exposition format 0.0.4.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal)) family.Render(sb);
        return sb.ToString();
    }

    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
}

public abstract class MetricFamily(string name, string help, string type, string[] labelNames)
{
    public string Name { get; } = name;

    protected string[] LabelNames { get; } = labelNames;

    internal void Render(StringBuilder sb)
    {
        sb.Append("# HELP ").Append(Name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
        RenderSamples(sb);
    }

    protected abstract void RenderSamples(StringBuilder sb);

    protected string Key(string[] values)
    {
        if (values.Length != LabelNames.Length) throw new ArgumentException($"{Name} takes {LabelNames.Length} label values.");
        return string.Join('\u0001', values);
    }

    protected string Labels(string key, string? extraName = null, string? extraValue = null)
    {
        var values = LabelNames.Length == 0 ? [] : key.Split('\u0001');
        var parts = LabelNames.Select((n, i) => $"{n}=\"{Escape(values[i])}\"").ToList();
        if (extraName is not null) parts.Add($"{extraName}=\"{extraValue}\"");
        return parts.Count == 0 ? "" : "{" + string.Join(',', parts) + "}";
    }

    protected static string Format(double v) => double.IsPositiveInfinity(v) ? "+Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>A counter; exposed with the <c>_total</c> suffix as prometheus_client does.</summary>
public sealed class Counter(string name, string help, string[] labelNames) : MetricFamily(name, help, "counter", labelNames)
{
    private readonly ConcurrentDictionary<string, double> _values = new(StringComparer.Ordinal);

    public void Inc(params string[] labelValues) => _values.AddOrUpdate(Key(labelValues), 1, (_, v) => v + 1);

    public double Value(params string[] labelValues) => _values.TryGetValue(Key(labelValues), out var v) ? v : 0;

    protected override void RenderSamples(StringBuilder sb)
    {
        foreach (var (key, v) in _values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(Name).Append("_total").Append(Labels(key)).Append(' ').Append(Format(v)).Append('\n');
    }
}

public sealed class Gauge(string name, string help, string[] labelNames) : MetricFamily(name, help, "gauge", labelNames)
{
    private readonly ConcurrentDictionary<string, double> _values = new(StringComparer.Ordinal);

    public void Set(double value, params string[] labelValues) => _values[Key(labelValues)] = value;

    public void Add(double delta, params string[] labelValues) => _values.AddOrUpdate(Key(labelValues), delta, (_, v) => v + delta);

    public double Value(params string[] labelValues) => _values.TryGetValue(Key(labelValues), out var v) ? v : 0;

    protected override void RenderSamples(StringBuilder sb)
    {
        if (_values.IsEmpty && LabelNames.Length == 0) _values.TryAdd("", 0);
        foreach (var (key, v) in _values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(Name).Append(Labels(key)).Append(' ').Append(Format(v)).Append('\n');
    }
}

public sealed class Histogram(string name, string help, double[] buckets, string[] labelNames) : MetricFamily(name, help, "histogram", labelNames)
{
    private readonly double[] _bounds = [.. buckets.Order(), double.PositiveInfinity];
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);

    public void Observe(double value, params string[] labelValues)
    {
        var s = _series.GetOrAdd(Key(labelValues), _ => new Series(_bounds.Length));
        lock (s)
        {
            for (var i = 0; i < _bounds.Length; i++) if (value <= _bounds[i]) s.Counts[i]++;
            s.Sum += value;
            s.Count++;
        }
    }

    public long Count(params string[] labelValues) => _series.TryGetValue(Key(labelValues), out var s) ? s.Count : 0;

    protected override void RenderSamples(StringBuilder sb)
    {
        foreach (var (key, s) in _series.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            lock (s)
            {
                for (var i = 0; i < _bounds.Length; i++)
                    sb.Append(Name).Append("_bucket").Append(Labels(key, "le", Format(_bounds[i]))).Append(' ').Append(s.Counts[i]).Append('\n');
                sb.Append(Name).Append("_count").Append(Labels(key)).Append(' ').Append(s.Count).Append('\n');
                sb.Append(Name).Append("_sum").Append(Labels(key)).Append(' ').Append(Format(s.Sum)).Append('\n');
            }
        }
    }

    private sealed class Series(int n)
    {
        public long[] Counts { get; } = new long[n];
        public double Sum { get; set; }
        public long Count { get; set; }
    }
}
