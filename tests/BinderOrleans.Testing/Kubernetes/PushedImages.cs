using BinderOrleans.Core.Ports;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>
/// The registry build pods push to, as far as a test with <see cref="FakeKubernetesApi"/> is concerned: it holds the
/// image of every build pod that succeeded there, and whatever the test adds.
/// </summary>
public sealed class PushedImages(FakeKubernetesApi api) : IImageRegistry
{
    private readonly HashSet<string> _added = [];

    public void Add(string image)
    {
        lock (_added) _added.Add(image);
    }

    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        bool added;
        lock (_added) added = _added.Contains(imageName);
        return Task.FromResult(added || api.BuiltImages.Contains(imageName) ? ImageLookup.Found : ImageLookup.Missing);
    }
}
