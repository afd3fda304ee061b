using System.Formats.Tar;
using System.Net;
using System.Text;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// The tar sent to the engine. Every entry gets the same owner, mode rules and modification time, and entries are
/// sorted, so unchanged files always produce the same cache key whatever the checkout's timestamps.
/// </summary>
internal sealed class BuildContext
{
    /// <summary>Modification time of every entry.</summary>
    public static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const int Owner = DockerfileSettings.UserId;

    private const UnixFileMode Regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Executable = Regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly List<Entry> _entries;

    private BuildContext(List<Entry> entries) => _entries = entries;

    public IReadOnlyList<string> Paths => _entries.Select(e => e.Path).ToArray();

    /// <summary>A generated Dockerfile: <c>Dockerfile</c>, the entrypoint script, and the repository under <c>src/</c>.</summary>
    public static BuildContext ForGenerated(string dockerfile, string repositoryRoot, DockerIgnore ignore)
    {
        var entries = new List<Entry>
        {
            Entry.Text("Dockerfile", dockerfile, Regular),
            Entry.Text(EntrypointScript.ContextPath, EntrypointScript.Text, Executable),
            Entry.Directory("src"),
        };
        entries.AddRange(Walk(repositoryRoot, "src/", ignore, keep: null));
        return new BuildContext(Sorted(entries));
    }

    /// <summary>
    /// A dev container build: the configuration's context directory at the root (its <c>.dockerignore</c> applied here,
    /// and left out so the engine does not apply it to the rest), the generated Dockerfile and the repository under
    /// <see cref="DevcontainerDockerfile.ContextDirectory"/>.
    /// </summary>
    public static BuildContext ForDevcontainer(string dockerfile, string repositoryRoot, string contextDirectory, DockerIgnore repositoryIgnore)
    {
        var contextRoot = Path.Combine(repositoryRoot, contextDirectory.Replace('/', Path.DirectorySeparatorChar));
        var contextIgnore = File.Exists(Path.Combine(contextRoot, ".dockerignore"))
            ? DockerIgnore.Parse(File.ReadAllText(Path.Combine(contextRoot, ".dockerignore")))
            : DockerIgnore.Empty;
        var entries = new List<Entry>
        {
            Entry.Directory(DevcontainerDockerfile.ContextDirectory),
            Entry.Text(DevcontainerDockerfile.DockerfilePath, dockerfile, Regular),
            Entry.Directory(DevcontainerDockerfile.SourceDirectory),
        };
        entries.AddRange(Walk(contextRoot, "", contextIgnore, keep: null)
            .Where(e => e.Path is not (".dockerignore" or DevcontainerDockerfile.ContextDirectory + "/") && !e.Path.StartsWith(DevcontainerDockerfile.ContextDirectory + "/", StringComparison.Ordinal)));
        entries.AddRange(Walk(repositoryRoot, DevcontainerDockerfile.SourceDirectory + "/", repositoryIgnore, keep: null));
        return new BuildContext(Sorted(entries));
    }

    /// <summary>The repository itself (Dockerfile buildpack): the context root is the repository root.</summary>
    public static BuildContext ForRepository(string repositoryRoot, string dockerfilePath, DockerIgnore ignore) =>
        new(Sorted(Walk(repositoryRoot, "", ignore, keep: dockerfilePath).ToList()));

    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var e in _entries)
        {
            var entry = new GnuTarEntry(e.Type, e.Path)
            {
                Uid = Owner,
                Gid = Owner,
                UserName = "",
                GroupName = "",
                Mode = e.Mode,
                ModificationTime = FixedTime,
                AccessTime = FixedTime,
                ChangeTime = FixedTime,
            };
            if (e.Type == TarEntryType.SymbolicLink) entry.LinkName = e.LinkTarget!;
            if (e.Type != TarEntryType.RegularFile)
            {
                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                continue;
            }
            Stream data = e.Content is { } bytes ? new MemoryStream(bytes, writable: false) : File.OpenRead(e.SourceFile!);
            await using (data.ConfigureAwait(false))
            {
                entry.DataStream = data;
                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A request body that streams the tar while it is sent (no temp file, no buffering).</summary>
    public HttpContent ToHttpContent() => new TarContent(this);

    private static IEnumerable<Entry> Walk(string root, string prefix, DockerIgnore ignore, string? keep)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var directory = new DirectoryInfo(pending.Pop());
            foreach (var item in directory.EnumerateFileSystemInfos())
            {
                var relative = Path.GetRelativePath(root, item.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (ignore.IsExcluded(relative) && relative != keep)
                {
                    // A later "!pattern" may re-include something below an excluded directory.
                    if (item is DirectoryInfo && item.LinkTarget is null && ignore.HasExceptions) pending.Push(item.FullName);
                    continue;
                }
                var path = prefix + relative;
                if (item.LinkTarget is { } target)
                {
                    yield return new Entry(path, TarEntryType.SymbolicLink, Executable, null, null, target);
                }
                else if (item is DirectoryInfo)
                {
                    yield return Entry.Directory(path);
                    pending.Push(item.FullName);
                }
                else if (item is FileInfo file)
                {
                    var mode = (file.UnixFileMode & AnyExecute) != 0 ? Executable : Regular;
                    yield return new Entry(path, TarEntryType.RegularFile, mode, file.FullName, null, null);
                }
            }
        }
    }

    private static List<Entry> Sorted(List<Entry> entries)
    {
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    private sealed record Entry(string Path, TarEntryType Type, UnixFileMode Mode, string? SourceFile, byte[]? Content, string? LinkTarget)
    {
        public static Entry Text(string path, string text, UnixFileMode mode) =>
            new(path, TarEntryType.RegularFile, mode, null, Encoding.UTF8.GetBytes(text), null);

        public static Entry Directory(string path) => new(path + "/", TarEntryType.Directory, Executable, null, null, null);
    }

    private sealed class TarContent(BuildContext context) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? transportContext) =>
            context.WriteAsync(stream, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? transportContext, CancellationToken cancellationToken) =>
            context.WriteAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
