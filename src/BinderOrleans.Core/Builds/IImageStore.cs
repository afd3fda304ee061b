namespace BinderOrleans.Core.Builds;

/// <summary>A place images are kept (a registry, the local engine), as <see cref="ImageRetention"/> prunes it.</summary>
public interface IImageStore
{
    /// <summary>The <c>store</c> label of the retention metrics and the name in log lines: <c>registry</c>, <c>engine</c>.</summary>
    string Name { get; }

    /// <summary>The images this service built that the store holds. A failure to list is a value.</summary>
    Task<ImageListing> ListAsync(CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="image"/>; an image already gone is success. Returns the error, or null.</summary>
    Task<string?> DeleteAsync(StoredImage image, CancellationToken cancellationToken);
}

/// <summary>The images of a store, or why they could not be listed.</summary>
public sealed record ImageListing(IReadOnlyList<StoredImage> Images, string? Error = null)
{
    public static ImageListing Failed(string error) => new([], error);
}
