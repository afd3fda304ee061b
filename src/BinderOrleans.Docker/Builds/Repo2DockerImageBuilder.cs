using System.Globalization;
using BinderOrleans.Core.Naming;
using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// <c>Build:Builder = repo2docker</c>: runs the repo2docker image (<c>Build:Repo2DockerImage</c>) as a container of the
/// local engine, with the engine's socket mounted at <c>/var/run/docker.sock</c> and BinderHub's command line (the
/// Kubernetes build pod's), and relays its <c>--json-logs</c> lines as events. repo2docker clones the repository
/// itself, so its URL must be reachable from the container (which runs in <c>Docker:NetworkMode</c>). The container is
/// removed when the build ends, fails or is cancelled.
/// </summary>
internal sealed partial class Repo2DockerImageBuilder : IImageBuilder
{
    /// <summary>Where the engine socket appears in the container (the repo2docker image's docker CLI default).</summary>
    public const string SocketInContainer = "/var/run/docker.sock";

    /// <summary>Log lines quoted in the <c>failed</c> event.</summary>
    private const int FailureTailLines = 5;

    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(30);

    private readonly IDockerClient _engine;
    private readonly DockerOptions _docker;
    private readonly BuildOptions _build;
    private readonly ILogger _logger;

    public Repo2DockerImageBuilder(IDockerClient engine, IOptions<DockerOptions> docker, IOptions<BuildOptions> build, ILogger<Repo2DockerImageBuilder> logger)
    {
        _engine = engine;
        _docker = docker.Value;
        _build = build.Value;
        _logger = logger;
    }

    /// <summary>BinderHub's arguments, with <c>Docker:Labels</c> as <c>--label</c> options so the image carries them as generated ones do.</summary>
    public static List<string> Arguments(BuildRequest request, DockerOptions docker) =>
        Repo2DockerCommand.Arguments(request, appendix: null, push: false,
            docker.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"--label={l.Key}={l.Value}"));

    /// <summary>The container: the engine socket (or, for a <c>tcp://</c> engine, <c>DOCKER_HOST</c>), git credentials, our labels.</summary>
    public static CreateContainerParameters Container(BuildRequest request, DockerOptions docker, string image)
    {
        var env = new List<string>();
        if (request.GitCredentials is { Length: > 0 } credentials) env.Add("GIT_CREDENTIAL_ENV=" + credentials);
        var binds = new List<string>();
        const string unix = "unix://";
        if (docker.Host.StartsWith(unix, StringComparison.Ordinal)) binds.Add($"{docker.Host[unix.Length..]}:{SocketInContainer}");
        else env.Add("DOCKER_HOST=" + docker.Host);
        return new CreateContainerParameters
        {
            Image = image,
            // Cmd, not Entrypoint: the image's entrypoint stays, as with the build pod's args.
            Cmd = Arguments(request, docker),
            Env = env,
            Labels = new Dictionary<string, string>(docker.Labels, StringComparer.Ordinal)
            {
                [DockerLabels.Repo2DockerBuild] = request.BuildName,
                [DockerLabels.Repo] = request.RepoUrl,
                [DockerLabels.Ref] = request.ResolvedRef,
            },
            HostConfig = new HostConfig { Binds = binds, NetworkMode = docker.NetworkMode },
        };
    }

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (Repo2DockerCommand.Refusal(request) is { } refusal)
        {
            yield return BinderEvent.Failed(refusal, 400);
            yield break;
        }
        var image = _build.Repo2DockerImage;

        string? error = null;
        var engineLost = false;
        ImageInspectResponse? found = null;
        try
        {
            found = await _engine.FindImageAsync(image, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerEngineException ex)
        {
            (error, engineLost) = (ex.Message, ex.Unavailable);
        }
        if (error is null && found is null)
        {
            yield return BinderEvent.Of(BinderPhase.Fetching, $"Pulling the repo2docker image {image} (Build:Repo2DockerImage)...");
            var (name, tag) = ImageNaming.SplitTag(image);
            await using var reader = new EngineMessageReader(_engine.PullImageAsync(name, tag, new AuthConfig(), cancellationToken), cancellationToken);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                // Layer progress is noise here; the pull's end or error is what matters.
            }
            if (reader.Error is { } pullError)
            {
                error = $"cannot pull the repo2docker image {image} (Build:Repo2DockerImage): {pullError.TrimEnd()}";
                engineLost = reader.EngineLost;
            }
        }
        if (error is not null)
        {
            LogFailed(request.ImageName, error);
            yield return BinderEvent.Failed($"Error during build: {error}", engineLost ? DockerImageBuilder.EngineUnavailableStatus : null);
            yield break;
        }

        string? id = null;
        var tail = new Queue<string>();
        BinderEvent? reported = null;
        long? exitCode = null;
        try
        {
            string? phase = null;
            var lines = RunContainerAsync(request, image, cancellationToken);
            await using var enumerator = lines.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                (string? Id, string? Line, string? Error, bool EngineLost, long? Exit) step;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false)) break;
                    step = enumerator.Current;
                }
                catch (DockerEngineException ex)
                {
                    step = (null, null, ex.Message, ex.Unavailable, null);
                }
                if (step.Id is not null) id = step.Id;
                if (step.Exit is not null) exitCode = step.Exit;
                if (step.Error is not null)
                {
                    (error, engineLost) = (step.Error, step.EngineLost);
                    break;
                }
                if (step.Line is null || Repo2DockerLog.Parse(step.Line, phase) is not { } e) continue;
                if (e.Message is { Length: > 0 } message)
                {
                    tail.Enqueue(message.TrimEnd('\n'));
                    if (tail.Count > FailureTailLines) tail.Dequeue();
                }
                if (e.Phase == BinderPhase.Failed)
                {
                    // Keep reading to the end: the exit code still comes, and the event is sent once the container is gone.
                    reported ??= e;
                    continue;
                }
                if (reported is not null) continue;
                phase = e.Phase;
                yield return e;
            }
        }
        finally
        {
            if (id is not null) await RemoveAsync(id).ConfigureAwait(false);
        }

        if (error is null && reported is null && exitCode == 0)
        {
            try
            {
                if (await _engine.FindImageAsync(request.ImageName, cancellationToken).ConfigureAwait(false) is null)
                {
                    error = $"repo2docker finished without producing {request.ImageName}";
                }
            }
            catch (DockerEngineException ex)
            {
                (error, engineLost) = (ex.Message, ex.Unavailable);
            }
            if (error is null)
            {
                LogBuilt(request.ImageName);
                yield break;
            }
        }
        var text = error is not null ? $"Error during build: {error}"
            : reported?.Message?.TrimEnd('\n') is { Length: > 0 } said ? said
            : $"Error during build: repo2docker ({image}) exited with code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}";
        if (error is null && tail.Count > 0 && reported is null) text += "\nLast log lines:\n" + string.Join('\n', tail);
        LogFailed(request.ImageName, text);
        yield return BinderEvent.Failed(text, engineLost ? DockerImageBuilder.EngineUnavailableStatus : null);
    }

    /// <summary>
    /// Creates and starts the container, then yields its id, each output line, and its exit code. Engine failures are
    /// thrown (<see cref="DockerEngineException"/>) after the id, so the caller can still remove the container.
    /// </summary>
    private async IAsyncEnumerable<(string? Id, string? Line, string? Error, bool EngineLost, long? Exit)> RunContainerAsync(
        BuildRequest request, string image, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = await _engine.CreateContainerAsync(Container(request, _docker, image), cancellationToken).ConfigureAwait(false);
        LogStarted(request.ImageName, id, image);
        yield return (id, null, null, false, null);
        await _engine.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        await foreach (var (_, line) in _engine.FollowLogLinesAsync(id, cancellationToken).ConfigureAwait(false))
        {
            yield return (null, line, null, false, null);
        }
        var exit = await _engine.WaitContainerAsync(id, cancellationToken).ConfigureAwait(false);
        yield return (null, null, null, false, exit);
    }

    /// <summary>Removes the builder container whatever happened (also after a cancellation: that stops the build).</summary>
    private async Task RemoveAsync(string id)
    {
        using var timeout = new CancellationTokenSource(RemoveTimeout);
        try
        {
            await _engine.RemoveContainerIfExistsAsync(id, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException)
        {
            // The leftovers cleaner removes stopped builder containers later (they carry the repo2docker build label).
            LogRemoveFailed(id, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Image} with repo2docker ({Builder}) in container {Container}")]
    private partial void LogStarted(string image, string container, string builder);

    [LoggerMessage(Level = LogLevel.Information, Message = "repo2docker built {Image}")]
    private partial void LogBuilt(string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "repo2docker build of {Image} failed: {Error}")]
    private partial void LogFailed(string image, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove repo2docker container {Container}: {Error}")]
    private partial void LogRemoveFailed(string container, string error);
}
