using System.Runtime.CompilerServices;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Providers.Image;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// The "build" of a pull-only request (the <c>image</c> provider): the engine pulls the reference anonymously
/// (<c>POST /images/create</c>), with one <c>fetching</c> event per finished layer. Nothing is ever built. A reference
/// the registry does not have fails with 404; an unreachable engine with 503; any other registry error with 502.
/// </summary>
internal static class PrebuiltImagePull
{

    public static async IAsyncEnumerable<BinderEvent> PullAsync(IDockerClient engine, string imageName,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The provider validated it; a request from anywhere else that is not a reference never reaches the engine.
        if (ImageReference.Parse(imageName) is not { } reference)
        {
            yield return BinderEvent.Failed($"'{imageName}' is not an image reference with a tag or digest.", 400);
            yield break;
        }
        yield return BinderEvent.Of(BinderPhase.Fetching, $"Pulling image {imageName}...");
        string? error;
        bool engineLost;
        await using (var reader = new EngineMessageReader(engine.PullImageAsync(reference.Repository, reference.Ref, new AuthConfig(), cancellationToken), cancellationToken))
        {
            await foreach (var line in PullProgress.LayerLinesAsync(reader).ConfigureAwait(false))
            {
                yield return BinderEvent.Of(BinderPhase.Fetching, line);
            }
            (error, engineLost) = (reader.Error, reader.EngineLost);
        }
        if (error is null)
        {
            ImageInspectResponse? found = null;
            try
            {
                found = await engine.FindImageAsync(imageName, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerEngineException ex)
            {
                (error, engineLost) = (ex.Message, ex.Unavailable);
            }
            if (error is null && found is null) error = "the pull finished but the engine does not have the image";
        }
        if (error is not null)
        {
            yield return BinderEvent.Failed($"Failed to pull image {imageName}: {error.TrimEnd()}", StatusOf(error, engineLost));
            yield break;
        }
        yield return BinderEvent.Of(BinderPhase.Fetching, $"Pulled image {imageName}");
    }

    internal static int StatusOf(string error, bool engineLost) =>
        engineLost ? DockerImageBuilder.EngineUnavailableStatus
        : error.Contains("not found", StringComparison.OrdinalIgnoreCase)
          || error.Contains("manifest unknown", StringComparison.OrdinalIgnoreCase)
          || error.Contains("does not exist", StringComparison.OrdinalIgnoreCase)
          || error.Contains("pull access denied", StringComparison.OrdinalIgnoreCase) ? 404
        : 502;
}
