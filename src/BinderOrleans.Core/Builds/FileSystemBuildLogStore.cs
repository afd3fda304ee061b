using System.Text;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Keeps build logs as text files (<c>{id}.log</c>) in <c>Build:LogDirectory</c>, so they survive restarts. A log older than
/// <c>Build:LogRetention</c> is gone; when all logs together pass <c>Build:LogStoreLimit</c> bytes the oldest go first.
/// Files are written under a temporary name and moved into place, so a reader never sees half a log. The folder is
/// swept when the logs this store knows of pass the limit, and otherwise at most once per <see cref="SweepInterval"/>
/// (an expired log already reads as gone): listing every log after every save made each build pay for all the kept ones.
/// </summary>
internal sealed partial class FileSystemBuildLogStore : IBuildLogStore
{
    private const string Extension = ".log";
    private const string PartialExtension = ".partial";

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writing = new(1, 1);
    // Under the write lock: bytes in the folder as of the last sweep plus those saved since; when that sweep was.
    private long _knownBytes;
    private DateTimeOffset? _sweptAt;

    /// <summary>At most this long between sweeps of the folder while it stays under the limit.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    public FileSystemBuildLogStore(IOptions<BuildOptions> options, TimeProvider time, ILogger<FileSystemBuildLogStore> logger)
    {
        var o = options.Value;
        Directory = o.LogDirectory.Length > 0 ? o.LogDirectory : DefaultDirectory();
        Retention = o.LogRetention;
        Limit = o.LogStoreLimit;
        _time = time;
        _logger = logger;
    }

    public string Directory { get; }

    public TimeSpan Retention { get; }

    public long Limit { get; }

    /// <summary><c>binderorleans/build-logs</c> in the user's local data folder; the temp folder when there is none.</summary>
    public static string DefaultDirectory()
    {
        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(data.Length > 0 ? data : Path.GetTempPath(), "binderorleans", "build-logs");
    }

    public async Task<bool> SaveAsync(string id, IReadOnlyList<BinderEvent> events, CancellationToken cancellationToken)
    {
        if (!BuildLogIds.IsValid(id)) throw new ArgumentException($"Not a build log id: {id}", nameof(id));
        var bytes = Encoding.UTF8.GetBytes(BuildLogText.Render(events));
        if (bytes.LongLength > Limit)
        {
            LogTooLarge(id, bytes.LongLength, Limit);
            return false;
        }
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var partial = Path.Combine(Directory, id + PartialExtension);
            await File.WriteAllBytesAsync(partial, bytes, cancellationToken).ConfigureAwait(false);
            // The store's clock, not the file system's, decides age: retention follows TimeProvider (and tests drive it).
            File.SetLastWriteTimeUtc(partial, _time.GetUtcNow().UtcDateTime);
            File.Move(partial, PathOf(id), overwrite: true);
            _knownBytes += bytes.LongLength;
            var now = _time.GetUtcNow();
            if (_knownBytes > Limit || _sweptAt is not { } swept || now - swept >= SweepInterval)
            {
                _knownBytes = Prune();
                _sweptAt = now;
            }
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(ex, id, Directory);
            return false;
        }
        finally
        {
            _writing.Release();
        }
    }

    public Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken)
    {
        if (!BuildLogIds.IsValid(id)) return Task.FromResult<Stream?>(null);
        var file = new FileInfo(PathOf(id));
        if (!file.Exists || IsExpired(file)) return Task.FromResult<Stream?>(null);
        try
        {
            return Task.FromResult<Stream?>(new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 16 * 1024, useAsync: true));
        }
        catch (FileNotFoundException)
        {
            // Pruned between the check and the open.
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <summary>Expired logs out, then the oldest until the rest fit the limit (under the write lock); the bytes that remain.</summary>
    private long Prune()
    {
        var files = new DirectoryInfo(Directory).GetFiles("*" + Extension)
            .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var total = files.Sum(f => f.Length);
        foreach (var file in files)
        {
            if (!IsExpired(file) && total <= Limit) break;
            total -= file.Length;
            try
            {
                file.Delete();
            }
            catch (IOException ex)
            {
                LogDeleteFailed(ex, file.FullName);
            }
        }
        return total;
    }

    private bool IsExpired(FileInfo file) => _time.GetUtcNow().UtcDateTime - file.LastWriteTimeUtc > Retention;

    private string PathOf(string id) => Path.Combine(Directory, id + Extension);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Build log {Id} was not kept: {Size} bytes is more than Build:LogStoreLimit ({Limit})")]
    private partial void LogTooLarge(string id, long size, long limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Build log {Id} could not be written to {Directory} (Build:LogDirectory)")]
    private partial void LogSaveFailed(Exception exception, string id, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Old build log {Path} could not be deleted")]
    private partial void LogDeleteFailed(Exception exception, string path);
}
