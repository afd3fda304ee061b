namespace BinderOrleans.Core.Builds;

/// <summary>Answers "is this image already built?" — from a registry or from the local engine.</summary>
public interface IImageRegistry
{
    /// <summary>Looks the image up. Transient faults are the implementation's to retry; the result is a value.</summary>
    Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken);
}

/// <summary>Outcome of an image lookup.</summary>
/// <param name="Exists">The image is there.</param>
/// <param name="Error">Set when the lookup failed; the caller then treats the image as missing.</param>
public sealed record ImageLookup(bool Exists, string? Error = null)
{
    public static ImageLookup Found { get; } = new(true);
    public static ImageLookup Missing { get; } = new(false);
    public static ImageLookup Failed(string error) => new(false, error);
}
