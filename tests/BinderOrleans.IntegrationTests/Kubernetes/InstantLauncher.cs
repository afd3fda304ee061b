using BinderOrleans.Core.Streaming;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>A launcher that answers <c>ready</c> at once; the fake records the images it was asked to start.</summary>
internal static class InstantLauncher
{
    public static FakeLauncher Create() => new()
    {
        Script = (request, _) =>
        [
            BinderEvent.Of(BinderPhase.Launching, "Server requested"),
            new BinderEvent { Phase = BinderPhase.Ready, Message = "server running\n", Url = "http://127.0.0.1:1/user/test/", Token = "t", Image = request.ImageName },
        ],
    };
}
