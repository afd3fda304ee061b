namespace BinderOrleans.Core.Builds;

/// <summary>One image in a store (a registry manifest, an engine image), as a retention pass weighs it.</summary>
/// <param name="Id">The store's own id (a manifest digest, an engine image id).</param>
/// <param name="Names">Every name (with tag) that points at it; deleting it deletes them all.</param>
/// <param name="Blobs">What it occupies: blob id → bytes. A blob several images share counts once.</param>
/// <param name="Created">When the image was made, when the store says.</param>
/// <param name="Protected">Why the store itself will not let it go (e.g. a container runs it); null when it may.</param>
public sealed record StoredImage(string Id, IReadOnlyList<string> Names, IReadOnlyDictionary<string, long> Blobs, DateTimeOffset? Created = null,
    string? Protected = null);
