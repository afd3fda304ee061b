using System.Text;
using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// <c>.dockerignore</c> patterns: one per line, <c>#</c> comments, <c>!</c> re-includes, <c>*</c> and <c>?</c> within a
/// path segment, <c>**</c> across segments; a match on a directory excludes everything below it; the last matching
/// pattern decides.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules;

    private DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Empty { get; } = new([]);

    public bool IsEmpty => _rules.Count == 0;

    /// <summary>Some pattern re-includes paths (<c>!</c>), so excluded directories must still be searched.</summary>
    public bool HasExceptions => _rules.Exists(r => !r.Exclude);

    public static DockerIgnore Parse(string text)
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var exclude = true;
            if (line.StartsWith('!'))
            {
                exclude = false;
                line = line[1..].Trim();
            }
            line = line.Replace('\\', '/').Trim('/');
            while (line.StartsWith("./", StringComparison.Ordinal)) line = line[2..];
            if (line.Length == 0) continue;
            rules.Add((new Regex(ToRegex(line), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), exclude));
        }
        return new DockerIgnore(rules);
    }

    /// <param name="relativePath">Path inside the context, with <c>/</c> separators.</param>
    public bool IsExcluded(string relativePath)
    {
        if (_rules.Count == 0) return false;
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (MatchesSelfOrParent(pattern, relativePath)) excluded = exclude;
        }
        return excluded;
    }

    private static bool MatchesSelfOrParent(Regex pattern, string path)
    {
        if (pattern.IsMatch(path)) return true;
        for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            if (pattern.IsMatch(path[..slash])) return true;
        }
        return false;
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    // "**/" matches zero or more directories; a trailing "**" matches anything.
                    if (i + 2 < pattern.Length && pattern[i + 2] == '/')
                    {
                        sb.Append("(?:.*/)?");
                        i += 2;
                    }
                    else
                    {
                        sb.Append(".*");
                        i += 1;
                    }
                    break;
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    var set = pattern[(i + 1)..close];
                    if (set.StartsWith('!')) set = "^" + set[1..];
                    sb.Append('[').Append(set.Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.Append('$').ToString();
    }
}
