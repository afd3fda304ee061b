using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Docker.Launches;

/// <summary>
/// Makes an image present in the local engine before a launch (with a registry: pulls it when missing).
/// Yields <c>launching</c> progress; ends normally when the image is there, or with one <c>failed</c> event.
/// </summary>
internal interface IImagePuller
{
    IAsyncEnumerable<BinderEvent> EnsureLocalAsync(string imageName, CancellationToken cancellationToken);
}
