namespace BinderOrleans.Core.Quota;

/// <summary>Image-name arithmetic the quota needs.</summary>
internal static class ImageReference
{
    /// <summary>The name without <c>:tag</c> or <c>@digest</c>; a registry port (<c>host:5000/x</c>) is not a tag.</summary>
    public static string WithoutTag(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0) image = image[..at];
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }
}
