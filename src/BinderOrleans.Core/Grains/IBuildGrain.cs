using BinderOrleans.Core.Events;

namespace BinderOrleans.Core.Grains;

/// <summary>
/// The build of one image, keyed by image name. However many clients attach, the image is looked up and
/// built once; every watcher gets the whole history, then the live tail.
/// </summary>
public interface IBuildGrain : IGrain
{
    /// <summary>All events from the start; the last is <c>built</c> (with <c>imageName</c>) or <c>failed</c>.</summary>
    IAsyncEnumerable<BinderEvent> WatchAsync(CancellationToken cancellationToken);
}
