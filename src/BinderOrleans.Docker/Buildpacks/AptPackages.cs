using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// <c>apt.txt</c> as repo2docker reads it: <c>#</c> starts a comment, blank lines are skipped, a line may name several
/// packages separated by spaces (repo2docker pastes each line into the shell command), names are sorted.
/// Unlike repo2docker, which only checks a line's first character, every word must be a whole package name
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
            foreach (var word in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!PackageName().IsMatch(word))
                {
                    return ([], $"apt.txt line {lineNumber}: '{line}': '{word}' is not a Debian package name (package names separated by spaces, e.g. 'curl' or 'libxml2-dev').");
                }
                packages.Add(word);
            }
        }
        return ([.. packages], null);
    }

    // Debian policy: lower-case letters, digits, '+', '-', '.', starting with a letter or digit; then optional :arch and =version.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9+.\-]+(:[a-z0-9\-]+)?(=[A-Za-z0-9.+~:\-]+)?$")]
    private static partial Regex PackageName();
}
