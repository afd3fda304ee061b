using System.Text.Json;
using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Julia's version rules for <c>[compat] julia</c> in Project.toml: comma-separated alternatives, each <c>X[.Y[.Z]]</c>
/// or <c>^X…</c> (caret: up to the next change of the first non-zero part), <c>~X…</c> (tilde), <c>=X.Y.Z</c>,
/// <c>&gt;=X…</c>, <c>&lt;X…</c>. Without a compat entry repo2docker asks for <c>1.6</c>, i.e. the latest 1.x.
/// The highest released version (pre-releases dropped) that matches is taken.
/// </summary>
internal static partial class JuliaCompat
{
    public const string DefaultConstraint = "1.6";

    /// <returns>The highest matching version, or null.</returns>
    public static Version? Choose(string constraint, IEnumerable<Version> available)
    {
        var ranges = Parse(constraint);
        if (ranges is null) return null;
        return available.Where(v => ranges.Any(r => v >= r.Low && (r.High is null || v < r.High))).DefaultIfEmpty().Max();
    }

    /// <summary>True when the constraint is something Julia accepts (checked at detection, so bad input fails early).</summary>
    public static bool IsValid(string constraint) => Parse(constraint) is not null;

    /// <summary>Versions from Julia's <c>versions.json</c>: stable releases only.</summary>
    public static IReadOnlyList<Version> ReadVersions(string json)
    {
        using var document = JsonDocument.Parse(json);
        var versions = new List<Version>();
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            var stable = !entry.Value.TryGetProperty("stable", out var s) || s.ValueKind != JsonValueKind.False;
            if (stable && Plain().IsMatch(entry.Name) && Version.TryParse(entry.Name, out var v)) versions.Add(v);
        }
        return versions;
    }

    private static List<(Version Low, Version? High)>? Parse(string constraint)
    {
        var ranges = new List<(Version, Version?)>();
        foreach (var part in constraint.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Spec().Match(part);
            if (!match.Success) return null;
            var op = match.Groups[1].Value;
            var numbers = match.Groups[2].Value.Split('.').Select(int.Parse).ToArray();
            var low = new Version(numbers[0], At(numbers, 1), At(numbers, 2));
            switch (op)
            {
                case "" or "^":
                    ranges.Add((low, CaretHigh(numbers)));
                    break;
                case "~":
                    ranges.Add((low, numbers.Length == 1 ? new Version(numbers[0] + 1, 0, 0) : new Version(numbers[0], numbers[1] + 1, 0)));
                    break;
                case "=":
                    ranges.Add((low, new Version(low.Major, low.Minor, low.Build + 1)));
                    break;
                case ">=" or "≥":
                    ranges.Add((low, null));
                    break;
                case "<":
                    ranges.Add((new Version(0, 0, 0), low));
                    break;
                default:
                    return null;
            }
        }
        return ranges.Count == 0 ? null : ranges;
    }

    // ^1.2.3 → [1.2.3, 2.0.0); ^0.2.3 → [0.2.3, 0.3.0); ^0.0.3 → [0.0.3, 0.0.4); ^0 → [0, 1); ^0.0 → [0.0, 0.1)
    private static Version CaretHigh(int[] n)
    {
        if (n[0] != 0 || n.Length == 1) return new Version(n[0] + 1, 0, 0);
        if (At(n, 1) != 0 || n.Length == 2) return new Version(0, n[1] + 1, 0);
        return new Version(0, 0, n[2] + 1);
    }

    private static int At(int[] n, int i) => i < n.Length ? n[i] : 0;

    [GeneratedRegex(@"^(\^|~|=|>=|≥|<)?\s*(\d+(?:\.\d+){0,2})$")]
    private static partial Regex Spec();

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex Plain();
}
