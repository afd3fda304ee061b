namespace BinderOrleans.Core.Options;

/// <summary>
/// When built images are deleted from a store: sections <c>Registry:Retention</c> (the registry, through its API) and
/// <c>Docker:ImageRetention</c> (the local engine). Off unless <see cref="UnusedDays"/> or <see cref="MaxSize"/> is set.
/// Last use comes from the cluster's image-use book (a launch, or a request that found the image built); an image
/// the book has never seen counts as used when the book started, or when the image was made if that is later.
/// Never deleted: an image a running server or a running build uses, the base image (<c>Build:BaseImage</c>), and
/// anything this service did not build.
/// </summary>
public sealed class ImageRetentionOptions
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromHours(1);

    /// <summary><c>…:UnusedDays</c>: delete images not used for this many days. Default 0 (no age limit).</summary>
    public int UnusedDays { get; set; }

    /// <summary>
    /// <c>…:MaxSize</c>: keep the images within this many bytes (or a number with K, M, G or T, powers of 1024),
    /// deleting the least recently used first. Layers shared by several images count once. Default empty (no budget).
    /// </summary>
    public string MaxSize { get; set; } = "";

    /// <summary><c>…:DryRun</c>: log what would be deleted (and why), delete nothing. Default false.</summary>
    public bool DryRun { get; set; }

    /// <summary><c>…:Interval</c>: time between two passes; the first runs one interval after start. Default 1 h.</summary>
    public TimeSpan Interval { get; set; } = DefaultInterval;

    /// <summary>True when a limit is set.</summary>
    public bool Enabled => UnusedDays > 0 || MaxSize.Trim().Length > 0;

    /// <summary><see cref="MaxSize"/> in bytes; null when there is no budget (or it cannot be read: see <see cref="Validate"/>).</summary>
    public long? MaxBytes => ByteSize.TryParse(MaxSize, out var bytes) ? bytes : null;

    /// <summary>The problems, each naming its key under <paramref name="section"/> (e.g. <c>Registry:Retention</c>).</summary>
    public IEnumerable<string> Validate(string section)
    {
        if (UnusedDays < 0) yield return $"{section}:UnusedDays must be 0 (no age limit) or a number of days (got {UnusedDays}).";
        if (MaxSize.Trim().Length > 0 && MaxBytes is not > 0)
        {
            yield return $"{section}:MaxSize must be a size in bytes, or a number with K, M, G or T, e.g. 200G (got '{MaxSize}').";
        }
        if (Interval <= TimeSpan.Zero) yield return $"{section}:Interval must be positive, e.g. 01:00:00 (got {Interval}).";
    }
}
