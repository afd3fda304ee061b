using System.Collections.Concurrent;
using BinderOrleans.Core.Builds;

namespace BinderOrleans.Bench.FanOut;

/// <summary>An image registry in memory: an image exists once a bench builder finished it.</summary>
internal sealed class BenchRegistry : IImageRegistry
{
    private readonly ConcurrentDictionary<string, bool> _images = new(StringComparer.Ordinal);

    public void Add(string imageName) => _images[imageName] = true;

    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken) =>
        Task.FromResult(_images.ContainsKey(imageName) ? ImageLookup.Found : ImageLookup.Missing);
}
