namespace BinderOrleans.Bench.Harness;

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary><paramref name="value"/> over <paramref name="floor"/>, the same-run baseline (W = 1).</summary>
    public static double Ratio(double value, double floor) => floor > 0 ? value / floor : double.NaN;
}
