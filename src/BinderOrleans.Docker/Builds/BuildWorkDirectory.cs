using System.Text.RegularExpressions;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// One build's folder (<c>binder-build-*</c> under <c>Docker:WorkDirectory</c>): the checkout, a lock held while the
/// build runs, and a record of the intermediate containers and images the engine reports. The lock is an exclusive
/// file lock, which the OS releases when the process dies, so a folder nobody holds belongs to a build that is over.
/// When the engine is lost mid-build the checkout goes but the record stays, so <see cref="BuildLeftoversCleaner"/>
/// can remove what the engine left once it is back.
/// </summary>
internal sealed partial class BuildWorkDirectory : IDisposable
{
    public const string Prefix = "binder-build-";
    private const string LockFile = ".lock";
    private const string RecordFile = ".leftovers";
    private const string ContainerKind = "container";
    private const string ImageKind = "image";

    /// <summary>Whether the current step ran a container (so the image it ends with is this build's own).</summary>
    private bool _stepRan;

    private FileStream? _lock;

    private BuildWorkDirectory(string path, FileStream @lock)
    {
        Path = path;
        _lock = @lock;
    }

    public string Path { get; }

    /// <summary>The checkout goes here.</summary>
    public string Checkout => System.IO.Path.Combine(Path, "repo");

    /// <summary>A new folder under <paramref name="root"/> (the system temp folder when empty), locked by this process.</summary>
    public static BuildWorkDirectory Create(string root)
    {
        root = root.Length == 0 ? System.IO.Path.GetTempPath() : root;
        Directory.CreateDirectory(root);
        var path = System.IO.Path.Combine(root, Prefix + System.IO.Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal));
        Directory.CreateDirectory(path);
        return new BuildWorkDirectory(path, OpenLock(path, FileMode.CreateNew));
    }

    /// <summary>
    /// Takes over a folder whose build is over: its lock is free, or it has none and is older than
    /// <paramref name="lockless"/> (folders of versions before the lock, or of a process killed between the two steps).
    /// </summary>
    public static BuildWorkDirectory? TryClaim(string path, TimeSpan lockless, DateTimeOffset now)
    {
        var lockPath = System.IO.Path.Combine(path, LockFile);
        try
        {
            if (!File.Exists(lockPath) && now - Directory.GetLastWriteTimeUtc(path) < lockless) return null;
            return new BuildWorkDirectory(path, OpenLock(path, FileMode.OpenOrCreate));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Held by a running build (here or in another process), or gone meanwhile.
            return null;
        }
    }

    /// <summary>
    /// Records a container or image the engine announced in a build output line. An image only when its step ran a
    /// container: the image of <c>FROM</c> and of a cache hit is someone else's (the base image, another build's layer)
    /// and must never be removed with this build's leftovers.
    /// </summary>
    public void Observe(string line)
    {
        if (line.StartsWith("Step ", StringComparison.Ordinal)) _stepRan = false;
        if (RunningIn().Match(line) is { Success: true } running)
        {
            _stepRan = true;
            Append(ContainerKind, running.Groups[1].Value);
        }
        else if (_stepRan && StepImage().Match(line) is { Success: true } image)
        {
            _stepRan = false;
            Append(ImageKind, image.Groups[1].Value);
        }
    }

    /// <summary>What the record holds: containers, and images in the order they were made.</summary>
    public (IReadOnlyList<string> Containers, IReadOnlyList<string> Images) ReadRecord()
    {
        var record = System.IO.Path.Combine(Path, RecordFile);
        if (!File.Exists(record)) return ([], []);
        var entries = File.ReadAllLines(record).Select(l => l.Split(' ', 2)).Where(p => p.Length == 2).ToList();
        return (entries.Where(p => p[0] == ContainerKind).Select(p => p[1]).Distinct().ToList(),
            entries.Where(p => p[0] == ImageKind).Select(p => p[1]).Distinct().ToList());
    }

    /// <summary>
    /// Keeps only the record and releases the folder (the engine was lost, so it may still hold what the record
    /// names). Without a record there is nothing to keep and the folder goes.
    /// </summary>
    public void KeepRecordOnly()
    {
        var (containers, images) = ReadRecord();
        if (containers.Count == 0 && images.Count == 0)
        {
            Delete();
            return;
        }
        DeleteTree(Checkout);
        Dispose();
    }

    /// <summary>Deletes the folder; a few tries, because a process that just ended may still hold a file in it.</summary>
    public void Delete()
    {
        Dispose();
        DeleteTree(Path);
    }

    /// <summary>Releases the lock (the folder stays).</summary>
    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private void Append(string kind, string id) => File.AppendAllText(System.IO.Path.Combine(Path, RecordFile), $"{kind} {id}\n");

    private static FileStream OpenLock(string path, FileMode mode) =>
        new(System.IO.Path.Combine(path, LockFile), mode, FileAccess.ReadWrite, FileShare.None);

    private static void DeleteTree(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                return;
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && attempt < 3)
            {
                Thread.Sleep(100 * attempt);
            }
        }
    }

    /// <summary>The classic builder's " ---> Running in 3f2e1a9b0c7d" line.</summary>
    [GeneratedRegex(@"^ ---> Running in ([0-9a-f]{12,64})\s*$")]
    private static partial Regex RunningIn();

    /// <summary>The classic builder's " ---> 8f2e3c1d4b5a" line: the image a step made.</summary>
    [GeneratedRegex(@"^ ---> ([0-9a-f]{12,64})\s*$")]
    private static partial Regex StepImage();
}
