namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Decides whether a requirements file needs the whole repository: it does when a line refers to something local
/// (<c>-r</c>/<c>-c</c> includes, <c>file:</c> URLs, <c>./path</c>, also behind <c>-e</c> or <c>--flag=</c>).
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

    private static bool IsLocal(string line)
    {
        if (line.StartsWith("-r", StringComparison.Ordinal) || line.StartsWith("-c", StringComparison.Ordinal)
            || line.StartsWith("--requirement", StringComparison.Ordinal) || line.StartsWith("--constraint", StringComparison.Ordinal))
        {
            return true;
        }
        var target = line;
        if (target.StartsWith("-e", StringComparison.Ordinal) || target.StartsWith("--editable", StringComparison.Ordinal))
        {
            target = target.StartsWith("-e", StringComparison.Ordinal) ? target[2..] : target["--editable".Length..];
            target = target.TrimStart('=', ' ', '\t');
        }
        else if (target.StartsWith("--", StringComparison.Ordinal) && target.IndexOf('=') is var eq and > 0)
        {
            target = target[(eq + 1)..].Trim();
        }
        return target.StartsWith('.') || target.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
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
