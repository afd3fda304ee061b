namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// How much one data record may bring in, section <c>Providers:Data</c>. Each is checked before downloading (against the
/// sizes and counts the repository declares) and again while streaming and unpacking (against the real bytes), so a
/// record or a <c>Content-Length</c> that lies does not help. Over a limit: <c>failed</c> with 413 naming the key.
/// </summary>
public sealed class DataLimits
{
    public const long DefaultMaxBytes = 1L << 30;
    public const long DefaultMaxFileBytes = 1L << 30;
    public const int DefaultMaxFiles = 1000;

    /// <summary>
    /// <c>Providers:Data:MaxBytes</c>: most bytes one record may download in all, and separately most bytes its archive
    /// may unpack to (zip bombs stop too). Default 1 GiB.
    /// </summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary><c>Providers:Data:MaxFileBytes</c>: most bytes of one downloaded file, or of one unpacked archive entry. Default 1 GiB.</summary>
    public long MaxFileBytes { get; set; } = DefaultMaxFileBytes;

    /// <summary><c>Providers:Data:MaxFiles</c>: most files one record may list, and most entries its archive may hold. Default 1000.</summary>
    public int MaxFiles { get; set; } = DefaultMaxFiles;

    internal ContentFailure TooManyFiles(string what, int count) =>
        new($"{what} has {count} files, more than the {MaxFiles} this site allows (Providers:Data:MaxFiles).", ContentFailure.TooLargeStatus);
}
