using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// A PEP 440 version specifier set such as <c>&gt;=3.9,&lt;3.13</c> or <c>~=3.10</c> (pyproject's
/// <c>requires-python</c>), tested against <c>X.Y</c> Python versions, enough to choose a Python as repo2docker does.
/// </summary>
internal sealed partial class PythonSpecifier
{
    private readonly List<(string Op, int[] Version, bool Wildcard)> _clauses;

    private PythonSpecifier(List<(string, int[], bool)> clauses) => _clauses = clauses;

    public static PythonSpecifier? Parse(string text)
    {
        var clauses = new List<(string, int[], bool)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Clause().Match(part);
            if (!match.Success) return null;
            var wildcard = match.Groups[3].Success;
            clauses.Add((match.Groups[1].Value, match.Groups[2].Value.Split('.').Select(int.Parse).ToArray(), wildcard));
        }
        return clauses.Count == 0 ? null : new PythonSpecifier(clauses);
    }

    /// <summary>True when every clause accepts <paramref name="version"/> (<c>X.Y</c>, read as <c>X.Y.0</c> for ordering).</summary>
    public bool Contains(string version)
    {
        var v = version.Split('.').Select(int.Parse).ToArray();
        return _clauses.All(c => Accepts(c.Op, c.Version, c.Wildcard, v));
    }

    private static bool Accepts(string op, int[] spec, bool wildcard, int[] v)
    {
        var cmp = Compare(v, spec);
        return op switch
        {
            "==" when wildcard => Prefix(v, spec),
            "!=" when wildcard => !Prefix(v, spec),
            "==" or "===" => cmp == 0,
            "!=" => cmp != 0,
            ">=" => cmp >= 0,
            "<=" => cmp <= 0,
            ">" => cmp > 0,
            "<" => cmp < 0,
            // ~=X.Y means >=X.Y, ==X.*; ~=X.Y.Z means >=X.Y.Z, ==X.Y.*
            "~=" => cmp >= 0 && Prefix(v, spec[..^1]),
            _ => false,
        };
    }

    private static bool Prefix(int[] v, int[] prefix) => prefix.Select((p, i) => At(v, i) == p).All(x => x);

    private static int Compare(int[] a, int[] b)
    {
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var c = At(a, i).CompareTo(At(b, i));
            if (c != 0) return c;
        }
        return 0;
    }

    private static int At(int[] v, int i) => i < v.Length ? v[i] : 0;

    [GeneratedRegex(@"^(===|==|!=|~=|>=|<=|>|<)\s*(\d+(?:\.\d+)*)(\.\*)?$")]
    private static partial Regex Clause();
}
