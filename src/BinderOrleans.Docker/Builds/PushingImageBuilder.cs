using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// With a registry: builds with the local engine builder, then pushes, so the image is "built" for every node and
/// every restart. A failed build is relayed as is and nothing is pushed.
/// </summary>
internal sealed class PushingImageBuilder : IImageBuilder
{
    private readonly IImageBuilder _inner;
    private readonly IImagePusher _pusher;

    public PushingImageBuilder(IImageBuilder inner, IImagePusher pusher)
    {
        _inner = inner;
        _pusher = pusher;
    }

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _inner.BuildAsync(request, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
            if (e.Phase == BinderPhase.Failed) yield break;
        }
        // A pre-built image already lives in its own registry; it is pulled, not republished.
        if (request.PullOnly) yield break;
        await foreach (var e in _pusher.PushAsync(request.ImageName, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }
}
