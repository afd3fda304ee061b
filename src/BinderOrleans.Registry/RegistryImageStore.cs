using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Registry;

/// <summary>
/// The registry as <see cref="ImageRetention"/> prunes it (<c>Registry:Retention</c>): only repositories under
/// <c>Binder:ImagePrefix</c>, one <see cref="StoredImage"/> per manifest digest with every tag that points at it
/// (deleting a manifest takes all of them). Deleting frees no disk until the registry's garbage collection runs.
/// </summary>
internal sealed class RegistryImageStore(RegistryCatalog catalog, IOptions<SiteOptions> site) : IImageStore
{
    public string Name => "registry";

    public async Task<ImageListing> ListAsync(CancellationToken cancellationToken)
    {
        var (namePrefix, repositoryPrefix) = Prefixes(site.Value.ImagePrefix);
        var (repositories, error) = await catalog.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false);
        if (error is not null) return ImageListing.Failed(error);
        var images = new List<StoredImage>();
        foreach (var repository in repositories.Where(r => r.StartsWith(repositoryPrefix, StringComparison.Ordinal)))
        {
            var (tags, tagError) = await catalog.ListTagsAsync(repository, cancellationToken).ConfigureAwait(false);
            if (tagError is not null) return ImageListing.Failed(tagError);
            var byDigest = new Dictionary<string, (RegistryManifest Manifest, List<string> Names)>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                var (manifest, manifestError) = await catalog.GetManifestAsync(new RegistryImageName(repository, tag), cancellationToken).ConfigureAwait(false);
                if (manifestError is not null) return ImageListing.Failed(manifestError);
                if (manifest is null) continue;
                var name = $"{namePrefix}{repository[repositoryPrefix.Length..]}:{tag}";
                if (byDigest.TryGetValue(manifest.Digest, out var entry)) entry.Names.Add(name);
                else byDigest[manifest.Digest] = (manifest, [name]);
            }
            images.AddRange(byDigest.Values.Select(e => new StoredImage($"{repository}@{e.Manifest.Digest}", e.Names, e.Manifest.Blobs)));
        }
        return new ImageListing(images);
    }

    public Task<string?> DeleteAsync(StoredImage image, CancellationToken cancellationToken)
    {
        var at = image.Id.LastIndexOf('@');
        return catalog.DeleteManifestAsync(image.Id[..at], image.Id[(at + 1)..], cancellationToken);
    }

    /// <summary>
    /// What image names start with, and what their repositories start with: <c>127.0.0.1:5000/binder/</c> gives
    /// <c>binder/</c>, as <see cref="RegistryImageName.Parse"/> drops the host.
    /// </summary>
    internal static (string NamePrefix, string RepositoryPrefix) Prefixes(string imagePrefix)
    {
        const string probe = "x";
        var repository = RegistryImageName.Parse(imagePrefix + probe + ":t").Repository;
        return (imagePrefix, repository[..^probe.Length]);
    }
}
