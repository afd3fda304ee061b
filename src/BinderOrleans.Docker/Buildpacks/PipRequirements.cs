namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Decides whether a requirements file needs the whole repository: it does when a line refers to something local
/// (<c>-r</c>/<c>-c</c> includes, <c>file:</c> URLs, <c>./path</c>), also as the value of an option written
/// <c>--flag=value</c>, <c>--flag value</c> or <c>-f value</c> (e.g. <c>--find-links ./wheels</c>, <c>-e .</c>).
/// Such files are installed after the repository copy (repo2docker's assemble stage), the others before it.
/// </summary>
internal static class PipRequirements
{
    public static bool HasLocalReference(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).Trim();
            if (line.Length == 0) continue;
            if (IsLocal(line)) return true;
        }
        return false;
    }

    internal static bool IsLocal(string line)
    {
        if (line.StartsWith("-r", StringComparison.Ordinal) || line.StartsWith("-c", StringComparison.Ordinal)
            || line.StartsWith("--requirement", StringComparison.Ordinal) || line.StartsWith("--constraint", StringComparison.Ordinal))
        {
            return true;
        }
        var target = line;
        if (target.StartsWith('-'))
        {
            // The option's value: after '=' when the option word has one, else the next word; a lone flag (--pre) has none.
            var space = target.IndexOfAny([' ', '\t']);
            var option = space < 0 ? target : target[..space];
            var eq = option.IndexOf('=');
            if (eq > 0) target = target[(eq + 1)..].Trim();
            else if (space < 0) return false;
            else target = target[(space + 1)..].Trim();
        }
        if (target.Contains("file:", StringComparison.OrdinalIgnoreCase)) return true;
        if (target.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0) target = target[(scheme + 3)..];
        return target.StartsWith('.');
    }

    // pip treats '#' as a comment at line start or after whitespace; a '#' inside a URL fragment is not one.
    private static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1]))) return line[..i];
        }
        return line;
    }
}
