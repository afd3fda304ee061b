using BinderOrleans.Core.Ports;

namespace BinderOrleans.Tests.Kubernetes;

/// <summary>An image registry the test fills: images it holds exist.</summary>
internal sealed class ImageSet : IImageRegistry
{
    private readonly HashSet<string> _images = [];

    public void Add(string image)
    {
        lock (_images) _images.Add(image);
    }

    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        lock (_images) return Task.FromResult(_images.Contains(imageName) ? ImageLookup.Found : ImageLookup.Missing);
    }
}
