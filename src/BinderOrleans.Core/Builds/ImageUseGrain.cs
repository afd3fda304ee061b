namespace BinderOrleans.Core.Builds;

/// <summary>
/// The cluster's last-use book, in memory and kept active (<see cref="KeepAliveAttribute"/>): one small entry per image,
/// one grain call per launch. Times come from the injected <see cref="TimeProvider"/>.
/// </summary>
[KeepAlive]
internal sealed class ImageUseGrain(TimeProvider time) : Grain, IImageUseGrain
{
    private readonly Dictionary<string, DateTimeOffset> _lastUse = new(StringComparer.Ordinal);

    public ValueTask RecordAsync(string image)
    {
        _lastUse[image] = time.GetUtcNow();
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ImageUse>> ListAsync() =>
        ValueTask.FromResult<IReadOnlyList<ImageUse>>(_lastUse.Select(u => new ImageUse(u.Key, u.Value)).OrderBy(u => u.LastUsed).ToList());
}
