namespace BinderOrleans.Core.Builds;

/// <summary>
/// When each image was last used, for the whole cluster (one activation, key <see cref="ClusterKey"/>): a launch of it,
/// or a request that found it built, records the time. Registries record when an image was pushed, never when it was
/// pulled; this is what a retention policy needs instead. Replicas also report the images their running servers use,
/// so a retention pass on any replica knows what runs anywhere.
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

    /// <summary>
    /// The images <paramref name="reporter"/>'s running servers use now, replacing its previous report; the report
    /// counts for <paramref name="validFor"/> (a replica that stops reporting stops protecting its images).
    /// </summary>
    [Alias("report-running")]
    ValueTask ReportRunningAsync(string reporter, string[] images, TimeSpan validFor);

    /// <summary>The whole book: since when it records, every image's last use, and the images running anywhere.</summary>
    [Alias("get-book")]
    ValueTask<ImageUseBook> GetBookAsync();
}
