using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// The local engine as <see cref="ImageRetention"/> prunes it (<c>Docker:ImageRetention</c>): only images this service
/// built (the <c>repo2docker.ref</c> label, every <c>Docker:Labels</c> label, a name under <c>Binder:ImagePrefix</c>).
/// An image any container uses (running or stopped) is protected. An image's bytes are its size less that of the
/// largest other image (the base image included) whose layers it starts with, so a shared base counts once.
/// Deleting untags every name without force; the engine removes the image with its last name.
/// </summary>
internal sealed class EngineImageStore(IDockerClient engine, IOptions<DockerOptions> docker, IOptions<SiteOptions> site, IOptions<BuildOptions> build)
    : IImageStore
{
    public string Name => "engine";

    public async Task<ImageListing> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new ImageListing(await ListCoreAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (DockerEngineException ex)
        {
            return ImageListing.Failed(ex.Message);
        }
    }

    private async Task<List<StoredImage>> ListCoreAsync(CancellationToken cancellationToken)
    {
        var filters = new List<string> { DockerLabels.Ref };
        filters.AddRange(docker.Value.Labels.Select(l => $"{l.Key}={l.Value}"));
        var prefix = site.Value.ImagePrefix;
        var images = (await engine.ListImagesAsync(filters, all: false, cancellationToken).ConfigureAwait(false))
            .Select(i => (Image: i, Names: (i.RepoTags ?? []).Where(t => t != "<none>:<none>" && t.StartsWith(prefix, StringComparison.Ordinal)).ToList()))
            .Where(i => i.Names.Count > 0)
            .ToList();
        var used = (await engine.ListContainersAsync([], all: true, cancellationToken).ConfigureAwait(false))
            .Select(c => c.ImageID).ToHashSet(StringComparer.Ordinal);

        // Layer chains, to count a base that several images start from once.
        var chains = new List<(string Id, long Size, IList<string> Layers)>();
        if (await engine.FindImageAsync(build.Value.BaseImage, cancellationToken).ConfigureAwait(false) is { } baseImage)
        {
            chains.Add((baseImage.ID, baseImage.Size, baseImage.RootFS?.Layers ?? []));
        }
        foreach (var (image, _) in images)
        {
            var inspect = await engine.FindImageAsync(image.ID, cancellationToken).ConfigureAwait(false);
            chains.Add((image.ID, image.Size, inspect?.RootFS?.Layers ?? []));
        }

        // An image holds what its largest prefix image holds, and its own bytes on top.
        Dictionary<string, long> Blobs((string Id, long Size, IList<string> Layers) chain)
        {
            var under = chains.Where(c => c.Layers.Count > 0 && c.Layers.Count < chain.Layers.Count && c.Layers.SequenceEqual(chain.Layers.Take(c.Layers.Count)))
                .OrderByDescending(c => c.Layers.Count).FirstOrDefault();
            var key = chain.Layers.Count > 0 ? "layers:" + chain.Layers[^1] : chain.Id;
            if (under.Id is null) return new Dictionary<string, long>(StringComparer.Ordinal) { [key] = chain.Size };
            var blobs = Blobs(under);
            blobs[key] = Math.Max(0, chain.Size - under.Size);
            return blobs;
        }

        var stored = new List<StoredImage>();
        foreach (var (image, names) in images)
        {
            var created = new DateTimeOffset(DateTime.SpecifyKind(image.Created, DateTimeKind.Utc));
            stored.Add(new StoredImage(image.ID, names, Blobs(chains.First(c => c.Id == image.ID)), created,
                used.Contains(image.ID) ? "a container uses it" : null));
        }
        return stored;
    }

    public async Task<string?> DeleteAsync(StoredImage image, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var name in image.Names) await engine.RemoveImageIfExistsAsync(name, force: false, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (DockerEngineException ex)
        {
            // A container started from it since the listing: the engine refuses (409), which is what we want.
            return ex.Message;
        }
    }
}
