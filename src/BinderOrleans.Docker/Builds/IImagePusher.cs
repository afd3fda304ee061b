using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// Publishes an image the local engine built (with a registry: pushes it). Yields <c>pushing</c> progress; ends with
/// one <c>failed</c> event when the image could not be published.
/// </summary>
internal interface IImagePusher
{
    IAsyncEnumerable<BinderEvent> PushAsync(string imageName, CancellationToken cancellationToken);
}
