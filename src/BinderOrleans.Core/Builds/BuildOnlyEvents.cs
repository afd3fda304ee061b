using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Builds;

/// <summary>BinderHub's events for <c>build_only=true</c> (a build without a launch, API-only mode).</summary>
public static class BuildOnlyEvents
{
    /// <summary>BinderHub's words when <c>build_only</c> is asked for without <c>Binder:EnableApiOnlyMode</c> (status 400).</summary>
    public const string NotPermittedMessage = "Building but not launching is not permitted when the API only mode was not enabled.";

    public static BinderEvent NotPermitted() => BinderEvent.Failed(NotPermittedMessage, 400);

    /// <summary>The <c>ready</c> that ends a build-only stream in place of <paramref name="built"/>.</summary>
    /// <param name="built">The build's <c>built</c> event (its <c>imageName</c> and any <c>build_log_url</c> carry over).</param>
    /// <param name="buildRan">A build ran (otherwise the image was found).</param>
    public static BinderEvent Ready(BinderEvent built, bool buildRan) => new()
    {
        Phase = BinderPhase.Ready,
        ImageName = built.ImageName,
        Message = buildRan ? "Done! Image built\n" : "Done! Found built image\n",
        BuildLogUrl = built.BuildLogUrl,
    };
}
