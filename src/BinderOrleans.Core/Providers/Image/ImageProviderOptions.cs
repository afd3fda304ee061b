namespace BinderOrleans.Core.Providers.Image;

/// <summary>The <c>image</c> provider, section <c>Providers:Image</c>, plus the common spec rules.</summary>
public sealed class ImageProviderOptions : RepoProviderOptions
{
    public const string Section = "Providers:Image";

    /// <summary>
    /// <c>Providers:Image:AllowedPrefixes</c>: image references (as given, e.g. <c>registry.example.org/binder/</c>) that
    /// may be launched; a reference must start with one of them (ordinal). Default none: the provider refuses every
    /// spec with 403. End a prefix with <c>/</c> or <c>:</c> so it cannot match a longer neighbouring name.
    /// </summary>
    public List<string> AllowedPrefixes { get; set; } = [];
}
