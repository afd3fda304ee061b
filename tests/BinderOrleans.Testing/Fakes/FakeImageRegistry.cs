using BinderOrleans.Core.Builds;

namespace BinderOrleans.Testing.Fakes;

/// <summary>
/// The test <see cref="IImageRegistry"/>: an image exists when it is in <see cref="Images"/> (a
/// <see cref="FakeImageBuilder"/> adds what it builds), or always with <see cref="EveryImageExists"/>. Counts lookups.
/// </summary>
public sealed class FakeImageRegistry : IImageRegistry
{
    private int _lookups;

    /// <summary>Images that exist; lock it when adding while lookups may run.</summary>
    public HashSet<string> Images { get; } = [];

    public bool EveryImageExists { get; set; }

    public int Lookups => Volatile.Read(ref _lookups);

    public Task<ImageLookup> LookupAsync(string imageName, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lookups);
        bool found;
        lock (Images) found = EveryImageExists || Images.Contains(imageName);
        return Task.FromResult(found ? ImageLookup.Found : ImageLookup.Missing);
    }

    internal void Add(string imageName)
    {
        lock (Images) Images.Add(imageName);
    }
}
