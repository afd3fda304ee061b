namespace BinderOrleans.Core.Providers.Data;

/// <summary>The one rule for every name a record or archive gives a file: a relative path that stays inside the folder.</summary>
internal static class ContentPaths
{
    /// <summary>
    /// The name as a path under <paramref name="root"/>, or null with the reason: absolute paths, drive letters, <c>..</c>
    /// segments, empty names and control characters are refused. Backslashes count as separators (zips made on Windows).
    /// </summary>
    public static string? Resolve(string root, string name, out string? problem)
    {
        var normal = name.Replace('\\', '/');
        problem = null;
        if (normal.Length == 0 || normal.Trim('/').Length == 0) problem = "an empty name";
        else if (normal.StartsWith('/') || (normal.Length > 1 && normal[1] == ':')) problem = "an absolute path";
        else if (normal.Split('/').Any(s => s == "..")) problem = "a '..' segment";
        else if (normal.Any(char.IsControl)) problem = "a control character";
        if (problem is not null) return null;

        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, normal.TrimEnd('/')));
        if (!full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            problem = "a path outside the folder";
            return null;
        }
        return full;
    }

    /// <summary>
    /// repo2docker's last step: a folder that holds exactly one directory (a record zipped with its top folder) gets that
    /// directory's contents instead.
    /// </summary>
    public static void FlattenSingleDirectory(string directory)
    {
        var entries = Directory.GetFileSystemEntries(directory);
        if (entries.Length != 1 || !Directory.Exists(entries[0]) || new DirectoryInfo(entries[0]).LinkTarget is not null) return;
        // Renamed first, so a child with the directory's own name cannot collide with it.
        var only = Path.Combine(directory, ".binder-flatten-" + Path.GetRandomFileName());
        Directory.Move(entries[0], only);
        foreach (var child in Directory.GetFileSystemEntries(only))
        {
            var target = Path.Combine(directory, Path.GetFileName(child));
            if (Directory.Exists(child) && new DirectoryInfo(child).LinkTarget is null) Directory.Move(child, target);
            else File.Move(child, target);
        }
        Directory.Delete(only);
    }
}
