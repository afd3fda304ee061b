using BinderOrleans.Core.Options;

namespace BinderOrleans.Core.Builds;

/// <summary>What a retention pass deletes and what it keeps on purpose, decided from the images, the use book and the limits.</summary>
/// <param name="Remove">Images to delete, in order, each with why and the bytes it frees (given those before it went).</param>
/// <param name="Kept">Images a limit would have taken, kept because something uses them (image name → reason).</param>
/// <param name="TotalBytes">What the store's images occupy before the pass.</param>
public sealed record RetentionPlan(IReadOnlyList<RetentionRemoval> Remove, IReadOnlyList<RetentionKept> Kept, long TotalBytes)
{
    /// <summary>
    /// Unused longer than <see cref="ImageRetentionOptions.UnusedDays"/> go first; then, while the images left occupy
    /// more than <see cref="ImageRetentionOptions.MaxBytes"/>, the least recently used. An image in
    /// <paramref name="inUse"/> (any of its names) or <see cref="StoredImage.Protected"/> never goes.
    /// </summary>
    /// <param name="inUse">Image name → why it is in use (a running server, a running build, the base image, kept warm).</param>
    public static RetentionPlan Make(IReadOnlyList<StoredImage> images, ImageUseBook book, IReadOnlyDictionary<string, string> inUse,
        ImageRetentionOptions options, DateTimeOffset now)
    {
        var lastUse = book.Uses.ToDictionary(u => u.Image, u => u.LastUsed, StringComparer.Ordinal);
        DateTimeOffset LastUsed(StoredImage image)
        {
            var recorded = image.Names.Select(n => lastUse.TryGetValue(n, out var at) ? at : (DateTimeOffset?)null).Max();
            if (recorded is { } at) return at;
            // Never seen by this book: used when the book started, or when the image was made if that is later.
            return image.Created is { } created && created > book.Since ? created : book.Since;
        }
        string? Protection(StoredImage image) =>
            image.Protected ?? image.Names.Select(n => inUse.TryGetValue(n, out var why) ? why : null).FirstOrDefault(w => w is not null);

        var ordered = images.Select(i => (Image: i, LastUsed: LastUsed(i), Protection: Protection(i)))
            .OrderBy(i => i.LastUsed).ThenBy(i => i.Image.Names.FirstOrDefault() ?? i.Image.Id, StringComparer.Ordinal).ToList();
        var left = ordered.Select(i => i.Image).ToHashSet();
        var blobs = new BlobCount(images);
        var total = blobs.Bytes;
        var removals = new List<RetentionRemoval>();
        var kept = new List<RetentionKept>();

        if (options.UnusedDays > 0)
        {
            var limit = TimeSpan.FromDays(options.UnusedDays);
            foreach (var (image, used, protection) in ordered.Where(i => now - i.LastUsed > limit))
            {
                if (protection is not null)
                {
                    kept.Add(new RetentionKept(image, protection));
                    continue;
                }
                left.Remove(image);
                removals.Add(new RetentionRemoval(image, used, $"not used for {(now - used).TotalDays:0} days (limit {options.UnusedDays})", blobs.Remove(image)));
            }
        }
        if (options.MaxBytes is { } budget)
        {
            foreach (var (image, used, protection) in ordered.Where(i => left.Contains(i.Image)))
            {
                var occupied = blobs.Bytes;
                if (occupied <= budget) break;
                if (protection is not null)
                {
                    kept.Add(new RetentionKept(image, protection));
                    continue;
                }
                left.Remove(image);
                removals.Add(new RetentionRemoval(image, used, $"the images occupy {occupied} bytes, over the budget of {budget}; least recently used",
                    blobs.Remove(image)));
            }
        }
        return new RetentionPlan(removals, kept.DistinctBy(k => k.Image).ToList(), total);
    }

    /// <summary>How many images hold each blob, and the bytes of the blobs still held.</summary>
    private sealed class BlobCount
    {
        private readonly Dictionary<string, (long Size, int Holders)> _blobs = new(StringComparer.Ordinal);

        public BlobCount(IEnumerable<StoredImage> images)
        {
            foreach (var image in images)
            {
                foreach (var (blob, size) in image.Blobs)
                {
                    var holders = _blobs.TryGetValue(blob, out var entry) ? entry.Holders : 0;
                    if (holders == 0) Bytes += size;
                    _blobs[blob] = (size, holders + 1);
                }
            }
        }

        public long Bytes { get; private set; }

        /// <summary>Lets <paramref name="image"/> go; returns the bytes that no other image holds.</summary>
        public long Remove(StoredImage image)
        {
            long freed = 0;
            foreach (var blob in image.Blobs.Keys)
            {
                var (size, holders) = _blobs[blob];
                _blobs[blob] = (size, holders - 1);
                if (holders == 1) freed += size;
            }
            Bytes -= freed;
            return freed;
        }
    }
}

/// <summary>An image a pass deletes.</summary>
public sealed record RetentionRemoval(StoredImage Image, DateTimeOffset LastUsed, string Reason, long Bytes)
{
    public string Name => Image.Names.FirstOrDefault() ?? Image.Id;
}

/// <summary>An image a limit would have taken, kept because it is in use.</summary>
public sealed record RetentionKept(StoredImage Image, string Reason)
{
    public string Name => Image.Names.FirstOrDefault() ?? Image.Id;
}
