using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Builds (and, with a registry, pushes) one image. The stream carries <c>fetching</c>, <c>building</c>,
/// <c>pushing</c> (and <c>unknown</c>) events. It ends normally when the image exists, or with one
/// <c>failed</c> event saying why; it never yields <c>built</c> (the build grain says that).
/// Cancelling stops the build and removes whatever it left behind.
/// </summary>
public interface IImageBuilder
{
    IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, CancellationToken cancellationToken);
}
