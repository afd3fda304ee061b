using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// <c>runtime.txt</c> as repo2docker reads it: one line split on <c>-</c> into 2 parts (<c>name-version</c>),
/// 4 parts (<c>name-YYYY-MM-DD</c>) or 5 parts (<c>name-version-YYYY-MM-DD</c>); no empty part.
/// </summary>
/// <param name="Name">Runtime name, e.g. <c>python</c> or <c>r</c>.</param>
/// <param name="Version">Version, or null in the 4-part form.</param>
/// <param name="Date">Snapshot date <c>YYYY-MM-DD</c>, or null in the 2-part form.</param>
internal sealed partial record RuntimeSpec(string Name, string? Version, string? Date)
{
    /// <summary>Repository-relative path of the file, for messages (<c>binder/runtime.txt</c>).</summary>
    public string Path { get; init; } = "runtime.txt";

    /// <summary>1-based number of the line read (the first that is not blank).</summary>
    public int Line { get; init; } = 1;

    /// <summary>Where the runtime came from, as messages name it: <c>binder/runtime.txt line 2</c>.</summary>
    public string Where => $"{Path} line {Line}";

    public static (RuntimeSpec? Spec, string? Error) Parse(string text, string path = "runtime.txt")
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        var index = Array.FindIndex(lines, l => l.Length > 0);
        var line = index < 0 ? "" : lines[index];
        var number = index < 0 ? 1 : index + 1;
        var parts = line.Split('-');
        if (parts.Length is not (2 or 4 or 5) || parts.Any(p => p.Length == 0))
        {
            return (null, Invalid(path, line, number));
        }
        if (parts.Length == 2) return (new RuntimeSpec(parts[0], parts[1], null) { Path = path, Line = number }, null);

        var date = string.Join('-', parts[^3..]);
        if (!DatePattern().IsMatch(date)) return (null, Invalid(path, line, number));
        return (new RuntimeSpec(parts[0], parts.Length == 5 ? parts[1] : null, date) { Path = path, Line = number }, null);
    }

    /// <summary>
    /// The Python version a <c>python-…</c> runtime asks for: <c>X</c> or <c>X.Y</c>. A patch version is refused, as
    /// repo2docker does (<c>python-3.12.1</c>).
    /// </summary>
    public (string? Version, string? Error) PythonVersion()
    {
        if (!string.Equals(Name, "python", StringComparison.Ordinal) || Version is null) return (null, null);
        return PythonVersionPattern().IsMatch(Version)
            ? (Version, null)
            : (null, $"{Where}: 'python-{Version}' is not a Python version; use python-X.Y, e.g. python-3.11 (patch versions are not supported).");
    }

    private static string Invalid(string path, string line, int number) =>
        $"Invalid {path}: '{line}' (line {number}). Use name-version (python-3.11), name-YYYY-MM-DD or name-version-YYYY-MM-DD.";

    [GeneratedRegex(@"^\d\d\d\d-\d\d-\d\d$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^\d+(\.\d+)?$")]
    private static partial Regex PythonVersionPattern();
}
