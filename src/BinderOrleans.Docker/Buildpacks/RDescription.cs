using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// An R package <c>DESCRIPTION</c> file (Debian control format): <c>Field: value</c> lines, continuation lines
/// indented. Checked before the build so that a malformed file fails naming its line, not deep inside
/// <c>remotes::install_local()</c>.
/// </summary>
internal static partial class RDescription
{
    /// <returns>The fields, or an error naming the file and line.</returns>
    public static (IReadOnlyDictionary<string, string>? Fields, string? Error) Parse(string path, string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var lineNumber = 0;
        foreach (var raw in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            lineNumber++;
            if (raw.Trim().Length == 0)
            {
                current = null;
                continue;
            }
            if (raw[0] is ' ' or '\t')
            {
                if (current is null) return (null, $"{path} line {lineNumber}: a continuation line (indented) must follow a 'Field: value' line.");
                fields[current] += "\n" + raw.Trim();
                continue;
            }
            var match = Field().Match(raw);
            if (!match.Success) return (null, $"{path} line {lineNumber}: '{raw.Trim()}' is not a 'Field: value' line.");
            current = match.Groups[1].Value;
            if (!fields.TryAdd(current, match.Groups[2].Value.Trim())) return (null, $"{path} line {lineNumber}: the field '{current}' appears twice.");
        }
        if (!fields.ContainsKey("Package")) return (null, $"{path} line 1: the 'Package:' field is missing.");
        return (fields, null);
    }

    [GeneratedRegex(@"^([A-Za-z0-9][A-Za-z0-9@/._+-]*):(.*)$")]
    private static partial Regex Field();
}
