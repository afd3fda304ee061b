using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// <c>apt.txt</c>: one package per line, <c>#</c> starts a comment, blank lines skipped, names sorted (repo2docker's rules).
/// Unlike repo2docker, which only checks the first character, every entry must be a whole package name
/// (optionally <c>:arch</c> and <c>=version</c>), because the names end up in a shell command.
/// </summary>
internal static partial class AptPackages
{
    /// <returns>The sorted, distinct names; or an error naming the offending line.</returns>
    public static (IReadOnlyList<string> Packages, string? Error) Parse(string text)
    {
        var packages = new SortedSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var hash = raw.IndexOf('#');
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            if (!PackageName().IsMatch(line))
            {
                return ([], $"apt.txt line {lineNumber}: '{line}' is not a Debian package name (one package per line, e.g. 'curl' or 'libxml2-dev').");
            }
            packages.Add(line);
        }
        return ([.. packages], null);
    }

    // Debian policy: lower-case letters, digits, '+', '-', '.', starting with a letter or digit; then optional :arch and =version.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.\-]+(:[a-z0-9\-]+)?(=[A-Za-z0-9.+~:\-]+)?$")]
    private static partial Regex PackageName();
}
