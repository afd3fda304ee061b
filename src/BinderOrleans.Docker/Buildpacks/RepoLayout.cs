namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// A checked-out repository and its configuration directory: <c>.binder/</c>, else <c>binder/</c>, else the root.
/// When a binder directory exists, configuration files in the root are ignored (repo2docker's rule).
/// </summary>
internal sealed class RepoLayout
{
    private RepoLayout(string root, string binderDirectory)
    {
        Root = root;
        BinderDirectory = binderDirectory;
    }

    public string Root { get; }

    /// <summary><c>.binder</c>, <c>binder</c>, or empty for the root.</summary>
    public string BinderDirectory { get; }

    public bool HasBinderDirectory => BinderDirectory.Length > 0;

    /// <returns>The layout, or an error when both <c>binder/</c> and <c>.binder/</c> exist.</returns>
    public static (RepoLayout? Layout, string? Error) Open(string root)
    {
        var dotBinder = Directory.Exists(Path.Combine(root, ".binder"));
        var binder = Directory.Exists(Path.Combine(root, "binder"));
        if (dotBinder && binder)
        {
            return (null, "The repository has both a binder/ and a .binder/ directory; they are mutually exclusive. Keep one of them.");
        }
        return (new RepoLayout(root, dotBinder ? ".binder" : binder ? "binder" : ""), null);
    }

    /// <summary>Repository-relative path (with <c>/</c>) of a configuration file, looked up in the binder directory; null when absent.</summary>
    public string? Find(string name)
    {
        var relative = HasBinderDirectory ? $"{BinderDirectory}/{name}" : name;
        return File.Exists(FullPath(relative)) ? relative : null;
    }

    /// <summary>A file that only counts in the root and only without a binder directory (<c>setup.py</c>, <c>pyproject.toml</c>, <c>DESCRIPTION</c>).</summary>
    public string? FindRootOnly(string name) => !HasBinderDirectory && File.Exists(FullPath(name)) ? name : null;

    public string ReadText(string relative) => File.ReadAllText(FullPath(relative));

    public string FullPath(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
}
