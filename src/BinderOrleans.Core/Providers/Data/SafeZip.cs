using System.IO.Compression;

namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// Unpacks a zip archive the way repo2docker's content providers do (<c>ZipFile.extractall</c>), but refusing, before
/// anything is written, any entry whose name is absolute, has a <c>..</c> segment or leaves the folder, and any symbolic
/// link whose target is absolute or has a <c>..</c> segment (a target that only descends cannot leave the tree, however
/// links chain). Links are made last, so no file is ever written through one. Unpacked bytes count against
/// <c>Providers:Data:MaxBytes</c> (in all) and <c>Providers:Data:MaxFileBytes</c> (per entry) as they are written (declared
/// sizes are not trusted), and an archive with more than <c>Providers:Data:MaxFiles</c> entries is refused before anything
/// is written (zip bombs). Zip has no hard links.
/// </summary>
internal static class SafeZip
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;
    private const int MaxLinkTargetBytes = 4096;

    /// <summary>True when the file starts with a zip signature (Python's <c>is_zipfile</c>, simplified to the local header).</summary>
    public static bool IsZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    public static ContentFailure? Extract(string zipPath, string directory, DataLimits limits, string what)
    {
        try
        {
            return ExtractCore(zipPath, directory, limits, what);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Within the folder (a link to a missing folder that a later entry needs, a corrupt entry): the record's fault.
            return new ContentFailure($"Could not unpack {what}: {ex.Message}", ContentFailure.UnsafeStatus);
        }
    }

    private static ContentFailure? ExtractCore(string zipPath, string directory, DataLimits limits, string what)
    {
        var budget = new DownloadBudget(limits);
        ZipArchive archive;
        try
        {
            archive = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException ex)
        {
            return new ContentFailure($"{what} is not a readable zip archive: {ex.Message}", ContentFailure.UnsafeStatus);
        }
        using (archive)
        {
            if (archive.Entries.Count > limits.MaxFiles) return limits.TooManyFiles(what, archive.Entries.Count);
            var plan = new List<(ZipArchiveEntry Entry, string Path, string? LinkTarget)>();
            foreach (var entry in archive.Entries)
            {
                if (ContentPaths.Resolve(directory, entry.FullName, out var problem) is not { } path)
                {
                    return Unsafe(what, entry.FullName, $"has {problem}");
                }
                string? linkTarget = null;
                if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymlink)
                {
                    linkTarget = ReadLinkTarget(entry);
                    var normal = linkTarget.Replace('\\', '/');
                    if (normal.Length == 0 || normal.StartsWith('/') || (normal.Length > 1 && normal[1] == ':') || normal.Split('/').Any(s => s == "..") || normal.Any(char.IsControl))
                    {
                        return Unsafe(what, entry.FullName, $"is a link to '{linkTarget}', which may point out of the record (link targets must be relative, without '..')");
                    }
                }
                plan.Add((entry, path, linkTarget));
            }

            Directory.CreateDirectory(directory);
            foreach (var (entry, path, linkTarget) in plan)
            {
                if (linkTarget is not null) continue;
                if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
                {
                    Directory.CreateDirectory(path);
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                budget.StartFile();
                using var source = entry.Open();
                using var target = new FileStream(path, FileMode.Create, FileAccess.Write);
                var buffer = new byte[81920];
                int read;
                while ((read = source.Read(buffer)) > 0)
                {
                    if (!budget.TryTake(read)) return budget.TooLarge($"{what}, unpacked,");
                    target.Write(buffer, 0, read);
                }
            }
            foreach (var (_, path, linkTarget) in plan)
            {
                if (linkTarget is null) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
                {
                    return Unsafe(what, path[(directory.Length + 1)..], "is a link where the archive also has a folder", unpacked: true);
                }
                if (File.Exists(path) || Directory.Exists(path)) File.Delete(path);
                File.CreateSymbolicLink(path, linkTarget);
            }
        }
        return null;
    }

    private static string ReadLinkTarget(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        var buffer = new byte[MaxLinkTargetBytes + 1];
        var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return n > MaxLinkTargetBytes ? "/" : System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static ContentFailure Unsafe(string what, string name, string why, bool unpacked = false) =>
        new($"Refusing to unpack {what}: entry '{name}' {why}.{(unpacked ? "" : " Nothing was unpacked.")}", ContentFailure.UnsafeStatus);
}
