using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Image;

/// <summary>
/// Launches a pre-built image (BinderHub #1298): <c>/build/image/&lt;URL-escaped reference&gt;</c>, e.g.
/// <c>127.0.0.1%3A5000%2Fbinder%2Fdemo%3Alatest</c>. Only references starting with one of
/// <c>Providers:Image:AllowedPrefixes</c> are accepted. The image is pulled when missing and never built; resolving does
/// no I/O (the tag or digest is the resolved ref, the pull finds out whether it exists).
/// </summary>
internal sealed class ImageRepoProvider(IOptions<ImageProviderOptions> options) : IRepoProvider
{
    private readonly IReadOnlyList<string> _prefixes = options.Value.AllowedPrefixes;

    public string Id => "image";

    public string Name => "Image";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Container image",
        Id = "image",
        Spec = new("[^/]+"),
        Repo = new("Image reference", "registry.example.org/binder/demo:latest", UrlEncode: true),
        Ref = new(Enabled: false),
    };

    /// <summary>Offered only where <c>Providers:Image:AllowedPrefixes</c> names something; otherwise it only refuses.</summary>
    public bool Listed => _prefixes.Count > 0;

    public ResolveResult.Failed? CheckSpec(string spec)
    {
        var text = Uri.UnescapeDataString(spec);
        if (ImageReference.Parse(text) is null)
        {
            return new ResolveResult.Failed(
                $"Spec is not a URL-escaped image reference with a tag or digest ([host[:port]/]name:tag or name@sha256:…), provided: \"{spec}\".", 400);
        }
        if (_prefixes.Count == 0)
        {
            return new ResolveResult.Failed($"Launching images is not enabled on this site (no {ImageProviderOptions.Section}:AllowedPrefixes).", 403);
        }
        return _prefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal))
            ? null
            : new ResolveResult.Failed($"Image {text} is not allowed here: it starts with none of {ImageProviderOptions.Section}:AllowedPrefixes.", 403);
    }

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (CheckSpec(spec) is { } bad) return Task.FromResult<ResolveResult>(bad);
        var reference = ImageReference.Parse(Uri.UnescapeDataString(spec))!;
        var image = reference.Canonical;
        var repo = new ResolvedRepo(image, reference.Ref, "", Uri.EscapeDataString(image), $"image-{reference.Repository}", reference.Ref,
            Image: image);
        return Task.FromResult<ResolveResult>(new ResolveResult.Resolved(repo));
    }
}
