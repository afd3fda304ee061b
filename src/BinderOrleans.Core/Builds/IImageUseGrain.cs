namespace BinderOrleans.Core.Builds;

/// <summary>
/// When each image was last used, for the whole cluster (one activation, key <see cref="ClusterKey"/>): a launch of it,
/// or a request that found it built, records the time. Registries record when an image was pushed, never when it was
/// pulled; this is what a retention policy needs instead.
/// </summary>
[Alias("binder.image-use")]
public interface IImageUseGrain : IGrainWithStringKey
{
    public const string ClusterKey = "cluster";

    /// <summary>Marks <paramref name="image"/> as used now (the grain's clock).</summary>
    [Alias("record")]
    ValueTask RecordAsync(string image);

    /// <summary>Every image with its last use, least recently used first.</summary>
    [Alias("list")]
    ValueTask<IReadOnlyList<ImageUse>> ListAsync();
}
