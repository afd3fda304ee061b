using BinderOrleans.Core.Builds;

namespace BinderOrleans.Testing.Kubernetes;

/// <summary>
/// The registry build pods push to, as far as a test is concerned: it holds whatever the test adds and, with a
/// <see cref="FakeKubernetesApi"/>, the image of every build pod that succeeded there.
/// </summary>
public sealed class PushedImages(FakeKubernetesApi? api = null) : IImageRegistry
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
        return Task.FromResult(added || api?.BuiltImages.Contains(imageName) == true ? ImageLookup.Found : ImageLookup.Missing);
    }
}
