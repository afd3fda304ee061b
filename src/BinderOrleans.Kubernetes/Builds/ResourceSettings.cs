using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>
/// Reads <c>Kubernetes:BuildMemory*</c> and <c>Kubernetes:BuildCpu*</c>. Memory takes BinderHub's
/// <c>build_memory_*</c> meaning: a byte count, or a number with <c>K</c>, <c>M</c>, <c>G</c> or <c>T</c> meaning
/// powers of 1024 (<c>2G</c> = 2147483648 bytes), or any Kubernetes quantity such as <c>2Gi</c>. CPU is a Kubernetes
/// quantity (<c>500m</c>, <c>0.5</c>, <c>2</c>). Empty or unset means none.
/// </summary>
internal static partial class ResourceSettings
{
    public static ResourceQuantity? Memory(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        var binderHub = BinderHubBytes().Match(text);
        if (binderHub.Success)
        {
            var number = decimal.Parse(binderHub.Groups[1].Value, CultureInfo.InvariantCulture);
            var power = binderHub.Groups[2].Value switch { "K" => 1, "M" => 2, "G" => 3, "T" => 4, _ => 0 };
            var bytes = decimal.Floor(number * (decimal)Math.Pow(1024, power));
            return new ResourceQuantity(bytes.ToString(CultureInfo.InvariantCulture));
        }
        return Quantity().IsMatch(text) ? new ResourceQuantity(text) : throw new FormatException(value);
    }

    public static ResourceQuantity? Cpu(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : Quantity().IsMatch(value.Trim()) ? new ResourceQuantity(value.Trim())
        : throw new FormatException(value);

    /// <summary>Why <paramref name="value"/> of <paramref name="key"/> is not usable, or null.</summary>
    public static string? Problem(string key, string? value, bool memory)
    {
        try
        {
            var quantity = memory ? Memory(value) : Cpu(value);
            return quantity is not null && quantity.ToDecimal() <= 0 ? $"{key} must be positive (got '{value}')." : null;
        }
        catch (FormatException)
        {
            return memory
                ? $"{key} '{value}' is not a memory size: use bytes, a number with K, M, G or T (powers of 1024, as BinderHub's build_memory_*), or a Kubernetes quantity such as 2Gi."
                : $"{key} '{value}' is not a CPU quantity such as 500m, 0.5 or 2.";
        }
    }

    /// <summary>Why a request exceeds its limit (the API server would refuse the pod), or null.</summary>
    public static string? Exceeds(string requestKey, ResourceQuantity? request, string limitKey, ResourceQuantity? limit) =>
        request is not null && limit is not null && request.ToDecimal() > limit.ToDecimal()
            ? $"{requestKey} ({request}) must not exceed {limitKey} ({limit})."
            : null;

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)([KMGT]?)$")]
    private static partial Regex BinderHubBytes();

    [GeneratedRegex(@"^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")]
    private static partial Regex Quantity();
}
