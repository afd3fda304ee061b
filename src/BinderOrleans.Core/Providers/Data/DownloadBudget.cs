namespace BinderOrleans.Core.Providers.Data;

/// <summary>Bytes one fetch may still take (<c>Providers:MaxDownloadBytes</c>); one budget for downloads, one for unpacking.</summary>
internal sealed class DownloadBudget(long limit)
{
    private long _used;

    public long Limit => limit;

    public long Used => _used;

    /// <summary>Counts <paramref name="bytes"/>; false once the total passes the limit.</summary>
    public bool TryTake(long bytes)
    {
        _used += bytes;
        return _used <= limit;
    }

    public ContentFailure TooLarge(string what) =>
        new($"{what} is larger than the {limit} bytes this site allows (Providers:MaxDownloadBytes).", ContentFailure.TooLargeStatus);
}
