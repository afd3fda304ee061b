using System.Runtime.CompilerServices;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Ports;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>A launcher that answers <c>ready</c> at once, recording the images it was asked to start.</summary>
internal sealed class InstantLauncher : ILauncher
{
    private readonly List<string> _images = [];

    public IReadOnlyList<string> Images
    {
        get { lock (_images) return [.. _images]; }
    }

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        lock (_images) _images.Add(request.ImageName);
        await Task.Yield();
        yield return BinderEvent.Of(BinderPhase.Launching, "Server requested");
        yield return new BinderEvent { Phase = BinderPhase.Ready, Message = "server running\n", Url = "http://127.0.0.1:1/user/test/", Token = "t", Image = request.ImageName };
    }
}
