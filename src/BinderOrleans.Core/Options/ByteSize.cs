using System.Globalization;

namespace BinderOrleans.Core.Options;

/// <summary>BinderHub's byte specification (<c>mem_limit</c>): a whole number of bytes, or a number with K, M, G or T (powers of 1024).</summary>
public static class ByteSize
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var multiplier = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1L,
        };
        var number = multiplier == 1 ? text : text[..^1];
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return false;
        if (multiplier == 1 && number.Contains('.', StringComparison.Ordinal)) return false;
        var total = value * multiplier;
        if (total is < 0 or > long.MaxValue) return false;
        bytes = (long)total;
        return true;
    }
}
