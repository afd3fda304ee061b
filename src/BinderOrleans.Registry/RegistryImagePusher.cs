using System.Runtime.CompilerServices;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Registry;

/// <summary>
/// Pushes a built image from the local engine to the registry, relaying per-layer progress as <c>pushing</c> events
/// (repo2docker's <c>progress</c> shape). A failure ends with one <c>failed</c> event naming the registry and the
/// engine's error; the local image is left in place.
/// </summary>
internal sealed partial class RegistryImagePusher : IImagePusher
{
    private readonly IDockerClient _engine;
    private readonly RegistryEndpoint _endpoint;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RegistryImagePusher(IDockerClient engine, RegistryEndpoint endpoint, TimeProvider time, ILogger<RegistryImagePusher> logger)
    {
        _engine = engine;
        _endpoint = endpoint;
        _time = time;
        _logger = logger;
    }

    public async IAsyncEnumerable<BinderEvent> PushAsync(string imageName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LogPushing(imageName, _endpoint.Display);
        yield return BinderEvent.Of(BinderPhase.Pushing, $"Pushing image {imageName} to {_endpoint.Display}");
        var (name, tag) = ImageNaming.SplitTag(imageName);
        var progress = new PushProgress(_time);
        string? error;
        await using (var reader = new EngineMessageReader(_engine.PushImageAsync(name, tag, RegistryAuth.For(_endpoint), cancellationToken), cancellationToken))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var message = reader.Current;
                if (progress.Observe(message.ID, message.Status, message.Progress?.Current, message.Progress?.Total) is { } e)
                {
                    yield return e;
                }
            }
            error = reader.Error;
        }

        if (error is not null)
        {
            LogPushFailed(imageName, _endpoint.Display, error);
            yield return BinderEvent.Failed(
                $"Pushing {imageName} to registry {_endpoint.Display} failed: {error.TrimEnd()}. The image is kept in the local engine.", 500);
            yield break;
        }
        if (progress.LayerCount > 0) yield return progress.Snapshot();
        LogPushed(imageName, _endpoint.Display);
        yield return BinderEvent.Of(BinderPhase.Pushing, $"Successfully pushed {imageName}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushing {Image} to {Registry}")]
    private partial void LogPushing(string image, string registry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pushed {Image} to {Registry}")]
    private partial void LogPushed(string image, string registry);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing {Image} to {Registry} failed: {Error}")]
    private partial void LogPushFailed(string image, string registry, string error);
}
