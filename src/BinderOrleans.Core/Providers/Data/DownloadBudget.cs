namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// Bytes one fetch may still take: in all (<c>Providers:Data:MaxBytes</c>) and per file (<c>Providers:Data:MaxFileBytes</c>,
/// counted from <see cref="StartFile"/>). One budget for downloads, another for unpacking.
/// </summary>
internal sealed class DownloadBudget(DataLimits limits)
{
    private long _used;
    private long _file;
    private bool _fileTripped;

    public long Used => _used;

    /// <summary>A new file starts: its own count starts at zero.</summary>
    public void StartFile() => _file = 0;

    /// <summary>Whether a file that declares <paramref name="bytes"/> fits, before anything is read; a refusal is remembered for <see cref="TooLarge"/>.</summary>
    public bool Fits(long bytes) => Within(_used + bytes, bytes);

    /// <summary>Counts <paramref name="bytes"/> of the current file; false once either limit is passed.</summary>
    public bool TryTake(long bytes)
    {
        _used += bytes;
        _file += bytes;
        return Within(_used, _file);
    }

    private bool Within(long total, long file)
    {
        _fileTripped = file > limits.MaxFileBytes;
        return !_fileTripped && total <= limits.MaxBytes;
    }

    /// <summary>The refusal, naming whichever limit was passed.</summary>
    public ContentFailure TooLarge(string what) => _fileTripped
        ? new($"{what} is larger than the {limits.MaxFileBytes} bytes this site allows for one file (Providers:Data:MaxFileBytes).", ContentFailure.TooLargeStatus)
        : new($"{what} is larger than the {limits.MaxBytes} bytes this site allows (Providers:Data:MaxBytes).", ContentFailure.TooLargeStatus);
}
