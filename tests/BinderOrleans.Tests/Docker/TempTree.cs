namespace BinderOrleans.Tests.Docker;

/// <summary>A folder of files for buildpack tests (not a git repository), deleted on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree(Dictionary<string, string> files)
    {
        Root = Directory.CreateTempSubdirectory("binder-unit-").FullName;
        foreach (var (relative, content) in files) Write(relative, content);
    }

    public string Root { get; }

    public void Write(string relative, string content)
    {
        var full = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
