using BinderOrleans.Core.Ports;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>A registry that has no image yet, so every request needs a build.</summary>
internal sealed class MissingImages : IImageRegistry
{
    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken) => Task.FromResult(ImageLookup.Missing);
}
