namespace BinderOrleans.Docker.Buildpacks;

/// <summary>Finds the line of a text that mentions something, so that errors about a value can point at it.</summary>
internal static class LineNumbers
{
    /// <returns>The 1-based number of the first line containing <paramref name="needle"/>, or 1.</returns>
    public static int Of(string text, string needle)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(needle, StringComparison.Ordinal)) return i + 1;
        }
        return 1;
    }
}
