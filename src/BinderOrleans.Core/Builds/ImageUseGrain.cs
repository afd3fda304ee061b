namespace BinderOrleans.Core.Builds;

/// <summary>
/// The cluster's last-use book, in memory and kept active (<see cref="KeepAliveAttribute"/>): one small entry per image,
/// one grain call per launch. Times come from the injected <see cref="TimeProvider"/>. Losing the book (its silo went)
/// is safe for retention: a new book starts with a new <see cref="ImageUseBook.Since"/>, and an image it has not seen
/// counts as used then.
/// </summary>
[KeepAlive]
internal sealed class ImageUseGrain(TimeProvider time) : Grain, IImageUseGrain
{
    private readonly Dictionary<string, (DateTimeOffset LastUsed, int Uses)> _lastUse = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string[] Images, DateTimeOffset Until)> _running = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _since = time.GetUtcNow();

    public ValueTask RecordAsync(string image)
    {
        var uses = _lastUse.TryGetValue(image, out var entry) ? entry.Uses : 0;
        _lastUse[image] = (time.GetUtcNow(), uses + 1);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ImageUse>> ListAsync() => ValueTask.FromResult<IReadOnlyList<ImageUse>>(Uses());

    public ValueTask ReportRunningAsync(string reporter, string[] images, TimeSpan validFor)
    {
        _running[reporter] = (images, time.GetUtcNow() + validFor);
        return ValueTask.CompletedTask;
    }

    public ValueTask<ImageUseBook> GetBookAsync()
    {
        var now = time.GetUtcNow();
        foreach (var gone in _running.Where(r => r.Value.Until < now).Select(r => r.Key).ToList()) _running.Remove(gone);
        var running = _running.Values.SelectMany(r => r.Images).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return ValueTask.FromResult(new ImageUseBook(_since, Uses(), running));
    }

    private ImageUse[] Uses() =>
        _lastUse.Select(u => new ImageUse(u.Key, u.Value.LastUsed, u.Value.Uses)).OrderBy(u => u.LastUsed).ThenBy(u => u.Image, StringComparer.Ordinal).ToArray();
}
