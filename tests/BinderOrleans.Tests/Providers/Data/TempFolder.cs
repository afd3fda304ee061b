namespace BinderOrleans.Tests.Providers.Data;

/// <summary>A build folder's stand-in: <see cref="Checkout"/> inside a fresh temp folder, so a test can see anything written beside it.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "binder-data-test-" + Path.GetRandomFileName());
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Checkout => Path.Combine(Root, "build", "repo");

    /// <summary>Everything under <see cref="Root"/> that is not under <see cref="Checkout"/> (the build folder's parent, siblings).</summary>
    public IReadOnlyList<string> OutsideCheckout() => Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
        .Where(p => p != Path.Combine(Root, "build") && p != Checkout && !p.StartsWith(Checkout + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        .ToList();

    /// <summary>Relative paths of all files and links in the checkout, sorted.</summary>
    public IReadOnlyList<string> Files() => Directory.Exists(Checkout)
        ? Directory.EnumerateFileSystemEntries(Checkout, "*", SearchOption.AllDirectories)
            .Where(p => !Directory.Exists(p) || new DirectoryInfo(p).LinkTarget is not null)
            .Select(p => Path.GetRelativePath(Checkout, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList()
        : [];

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
