using System.Runtime.CompilerServices;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using Docker.DotNet;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Registry;

/// <summary>
/// Pulls an image the local engine lacks from the registry (<c>POST /images/create</c> with <c>X-Registry-Auth</c>),
/// so a server can start on a node or after a restart where the image was never built.
/// </summary>
internal sealed partial class RegistryImagePuller : IImagePuller
{

    private readonly IDockerClient _engine;
    private readonly RegistryEndpoint _endpoint;
    private readonly ILogger _logger;

    public RegistryImagePuller(IDockerClient engine, RegistryEndpoint endpoint, ILogger<RegistryImagePuller> logger)
    {
        _engine = engine;
        _endpoint = endpoint;
        _logger = logger;
    }

    public async IAsyncEnumerable<BinderEvent> EnsureLocalAsync(string imageName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            if (await _engine.FindImageAsync(imageName, cancellationToken).ConfigureAwait(false) is not null) yield break;
        }
        catch (DockerEngineException)
        {
            // The launcher's own inspection reports an unreachable engine.
            yield break;
        }

        LogPulling(imageName, _endpoint.Display);
        yield return BinderEvent.Of(BinderPhase.Launching, $"Pulling image {imageName} from {_endpoint.Display}...");
        var (name, tag) = ImageNaming.SplitTag(imageName);
        string? error;
        await using (var reader = new EngineMessageReader(_engine.PullImageAsync(name, tag, RegistryAuth.For(_endpoint), cancellationToken), cancellationToken))
        {
            await foreach (var line in PullProgress.LayerLinesAsync(reader).ConfigureAwait(false))
            {
                yield return BinderEvent.Of(BinderPhase.Launching, line);
            }
            error = reader.Error;
        }

        if (error is null && await _engine.FindImageAsync(imageName, cancellationToken).ConfigureAwait(false) is null)
        {
            error = "the pull finished but the engine does not have the image";
        }
        if (error is not null)
        {
            LogPullFailed(imageName, _endpoint.Display, error);
            yield return BinderEvent.Failed($"Failed to pull image {imageName} from registry {_endpoint.Display}: {error.TrimEnd()}", 500);
            yield break;
        }
        LogPulled(imageName);
        yield return BinderEvent.Of(BinderPhase.Launching, $"Pulled image {imageName}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulling {Image} from {Registry}")]
    private partial void LogPulling(string image, string registry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pulled {Image}")]
    private partial void LogPulled(string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pulling {Image} from {Registry} failed: {Error}")]
    private partial void LogPullFailed(string image, string registry, string error);
}
