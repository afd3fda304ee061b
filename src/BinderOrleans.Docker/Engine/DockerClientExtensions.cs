using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BinderOrleans.Docker.Engine;

/// <summary>
/// The few conventions this backend adds on top of Docker.DotNet: a missing image or container is a value (null or
/// false), not an exception; every other failure is one <see cref="DockerEngineException"/> whose message names the
/// engine; and the library's progress callbacks (build, push, pull) become async streams, so callers can
/// <c>yield</c> events as the engine reports them.
/// </summary>
internal static class DockerClientExtensions
{
    // ---- images

    /// <summary>The image, or null when the engine does not have it.</summary>
    public static Task<ImageInspectResponse?> FindImageAsync(this IDockerClient client, string name, CancellationToken cancellationToken) =>
        client.CallAsync($"inspect image {name}", async () =>
        {
            try
            {
                return await client.Images.InspectImageAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>Removes an image (untagged parents go too); false when it did not exist.</summary>
    public static Task<bool> RemoveImageIfExistsAsync(this IDockerClient client, string name, bool force, CancellationToken cancellationToken) =>
        client.CallAsync($"remove image {name}", async () =>
        {
            try
            {
                await client.Images.DeleteImageAsync(name, new ImageDeleteParameters { Force = force }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>Images carrying every label filter (<c>key</c> or <c>key=value</c>); <paramref name="all"/> includes intermediate ones.</summary>
    public static Task<IList<ImagesListResponse>> ListImagesAsync(this IDockerClient client, IEnumerable<string> labels, bool all, CancellationToken cancellationToken) =>
        client.CallAsync("list images", () => client.Images.ListImagesAsync(new ImagesListParameters { All = all, Filters = LabelFilter(labels) }, cancellationToken),
            cancellationToken);

    /// <summary>
    /// <c>POST /build</c> with a tar context; yields the engine's progress as it comes. A failed step is a message with
    /// <see cref="JSONMessage.Error"/>, not an exception. Cancelling closes the connection, which stops the build.
    /// </summary>
    public static IAsyncEnumerable<JSONMessage> BuildImageAsync(this IDockerClient client, Stream tarContext, ImageBuildParameters parameters,
        CancellationToken cancellationToken) =>
        client.StreamAsync($"build {parameters.Tags?.FirstOrDefault()}",
            (progress, ct) => client.Images.BuildImageFromDockerfileAsync(parameters, tarContext, null, null, progress, ct), cancellationToken);

    /// <summary>Pushes <paramref name="name"/>:<paramref name="tag"/>; yields per-layer progress. Registry errors arrive as messages.</summary>
    public static IAsyncEnumerable<JSONMessage> PushImageAsync(this IDockerClient client, string name, string tag, AuthConfig auth,
        CancellationToken cancellationToken) =>
        client.StreamAsync($"push {name}:{tag}",
            (progress, ct) => client.Images.PushImageAsync(name, new ImagePushParameters { Tag = tag }, auth, progress, ct), cancellationToken);

    /// <summary>Pulls <paramref name="name"/>:<paramref name="tag"/>; yields per-layer progress. Registry errors arrive as messages.</summary>
    public static IAsyncEnumerable<JSONMessage> PullImageAsync(this IDockerClient client, string name, string tag, AuthConfig auth,
        CancellationToken cancellationToken) =>
        client.StreamAsync($"pull {name}:{tag}",
            (progress, ct) => client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, auth, progress, ct), cancellationToken);

    // ---- containers

    /// <summary>Creates a container; returns its id. A missing image is an exception here: callers check first.</summary>
    public static Task<string> CreateContainerAsync(this IDockerClient client, CreateContainerParameters parameters, CancellationToken cancellationToken) =>
        client.CallAsync("create container", async () =>
            (await client.Containers.CreateContainerAsync(parameters, cancellationToken).ConfigureAwait(false)).ID, cancellationToken);

    public static Task StartContainerAsync(this IDockerClient client, string id, CancellationToken cancellationToken) =>
        client.CallAsync($"start container {id}", () => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken), cancellationToken);

    /// <summary>The container, or null when there is no such container.</summary>
    public static Task<ContainerInspectResponse?> FindContainerAsync(this IDockerClient client, string id, CancellationToken cancellationToken) =>
        client.CallAsync($"inspect container {id}", async () =>
        {
            try
            {
                return await client.Containers.InspectContainerAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>Removes a container and its anonymous volumes; false when it was already gone (which is success for callers).</summary>
    public static Task<bool> RemoveContainerIfExistsAsync(this IDockerClient client, string id, CancellationToken cancellationToken) =>
        client.CallAsync($"remove container {id}", async () =>
        {
            try
            {
                await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken)
                    .ConfigureAwait(false);
                return true;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                // "removal already in progress": someone else is removing it, which is what we want.
                return true;
            }
        }, cancellationToken);

    /// <summary>Stops a container; false when it does not exist.</summary>
    public static Task<bool> StopContainerIfExistsAsync(this IDockerClient client, string id, TimeSpan grace, CancellationToken cancellationToken) =>
        client.CallAsync($"stop container {id}", async () =>
        {
            try
            {
                await client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) },
                    cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>Blocks until the container stops; returns its exit code.</summary>
    public static Task<long> WaitContainerAsync(this IDockerClient client, string id, CancellationToken cancellationToken) =>
        client.CallAsync($"wait for container {id}", async () =>
            (await client.Containers.WaitContainerAsync(id, cancellationToken).ConfigureAwait(false)).StatusCode, cancellationToken);

    /// <summary>Containers carrying every label filter (<c>key</c> or <c>key=value</c>).</summary>
    public static Task<IList<ContainerListResponse>> ListContainersAsync(this IDockerClient client, IEnumerable<string> labels, bool all,
        CancellationToken cancellationToken) =>
        client.CallAsync("list containers",
            () => client.Containers.ListContainersAsync(new ContainersListParameters { All = all, Filters = LabelFilter(labels) }, cancellationToken),
            cancellationToken);

    /// <summary>The last <paramref name="tail"/> lines of stdout and stderr, interleaved; null when the container is gone.</summary>
    public static Task<string?> TailLogsAsync(this IDockerClient client, string id, int tail, CancellationToken cancellationToken) =>
        client.CallAsync($"read the logs of container {id}", async () =>
        {
            MultiplexedStream stream;
            try
            {
                stream = await client.Containers.GetContainerLogsAsync(id, new ContainerLogsParameters
                {
                    ShowStdout = true,
                    ShowStderr = true,
                    Tail = tail.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            using (stream)
            {
                var combined = new MemoryStream();
                var buffer = new byte[8192];
                while (await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false) is { EOF: false } read)
                {
                    combined.Write(buffer, 0, read.Count);
                }
                return Encoding.UTF8.GetString(combined.GetBuffer(), 0, (int)combined.Length);
            }
        }, cancellationToken);

    /// <summary>
    /// Follows a container's output from its first line until it stops: each whole line (without its newline) with
    /// whether it came from stderr. A last line without a newline is yielded at the end.
    /// </summary>
    public static async IAsyncEnumerable<(bool StdErr, string Line)> FollowLogLinesAsync(this IDockerClient client, string id,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = await client.CallAsync($"read the logs of container {id}", () => client.Containers.GetContainerLogsAsync(id,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Follow = true }, cancellationToken), cancellationToken).ConfigureAwait(false);
        using (stream)
        {
            var buffer = new byte[16384];
            var pending = new[] { new MemoryStream(), new MemoryStream() };
            while (true)
            {
                MultiplexedStream.ReadResult read;
                try
                {
                    read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsEngineFailure(ex, cancellationToken))
                {
                    throw client.Translate(ex, $"read the logs of container {id}");
                }
                if (read.EOF) break;
                var target = read.Target == MultiplexedStream.TargetStream.StandardError ? 1 : 0;
                var start = 0;
                for (var i = 0; i < read.Count; i++)
                {
                    if (buffer[i] != (byte)'\n') continue;
                    pending[target].Write(buffer, start, i - start);
                    yield return (target == 1, TakeLine(pending[target]));
                    start = i + 1;
                }
                pending[target].Write(buffer, start, read.Count - start);
            }
            for (var target = 0; target < 2; target++)
            {
                if (pending[target].Length > 0) yield return (target == 1, TakeLine(pending[target]));
            }
        }

        static string TakeLine(MemoryStream bytes)
        {
            var line = Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
            bytes.SetLength(0);
            return line;
        }
    }

    /// <summary>Runs <paramref name="command"/> in a running container (<c>docker exec</c>) and collects its output; null when the container is gone.</summary>
    public static Task<ExecResult?> ExecAsync(this IDockerClient client, string id, IReadOnlyList<string> command, string? user, CancellationToken cancellationToken) =>
        client.CallAsync($"exec in container {id}", async () =>
        {
            string execId;
            try
            {
                execId = (await client.Exec.CreateContainerExecAsync(id, new ContainerExecCreateParameters
                {
                    Cmd = [.. command],
                    User = user ?? "",
                    AttachStdout = true,
                    AttachStderr = true,
                }, cancellationToken).ConfigureAwait(false)).ID;
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            string stdout, stderr;
            using (var stream = await client.Exec.StartContainerExecAsync(execId, new ContainerExecStartParameters(), cancellationToken).ConfigureAwait(false))
            {
                (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken).ConfigureAwait(false);
            }
            var inspect = await client.Exec.InspectContainerExecAsync(execId, cancellationToken).ConfigureAwait(false);
            return new ExecResult((int)(inspect.ExitCode ?? -1), stdout, stderr);
        }, cancellationToken);

    // ---- networks


    /// <summary>
    /// The networks named exactly <paramref name="name"/>, oldest first (ties by id). An engine before Docker 25 lets two
    /// clients that create one name at once make two networks of that name.
    /// </summary>
    public static Task<IReadOnlyList<string>> NetworkIdsNamedAsync(this IDockerClient client, string name, CancellationToken cancellationToken) =>
        client.CallAsync<IReadOnlyList<string>>($"list networks named {name}", async () =>
        {
            var filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } };
            var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filters }, cancellationToken).ConfigureAwait(false);
            return networks.Where(n => string.Equals(n.Name, name, StringComparison.Ordinal))
                .OrderBy(n => n.Created).ThenBy(n => n.ID, StringComparer.Ordinal).Select(n => n.ID).ToList();
        }, cancellationToken);

    /// <summary>Removes a network; one still in use or already gone stays as it is.</summary>
    public static Task RemoveNetworkQuietlyAsync(this IDockerClient client, string id, CancellationToken cancellationToken) =>
        client.CallAsync($"remove network {id}", async () =>
        {
            try
            {
                await client.Networks.DeleteNetworkAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException)
            {
                // In use by a container of the replica that made it, or removed already: the oldest is used either way.
            }
        }, cancellationToken);

    /// <summary>Creates a bridge network; one made meanwhile by someone else (409) is as good.</summary>
    public static Task CreateBridgeNetworkAsync(this IDockerClient client, string name, IDictionary<string, string> labels, CancellationToken cancellationToken) =>
        client.CallAsync($"create network {name}", async () =>
        {
            try
            {
                await client.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = name, Driver = "bridge", Labels = labels }, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                // Created by a concurrent launch or another replica.
            }
        }, cancellationToken);

    /// <summary>Networks carrying every label filter; removes each that no container uses any more.</summary>
    public static Task RemoveNetworksAsync(this IDockerClient client, IEnumerable<string> labels, CancellationToken cancellationToken) =>
        client.CallAsync("remove networks", async () =>
        {
            var networks = await client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = LabelFilter(labels) }, cancellationToken)
                .ConfigureAwait(false);
            foreach (var network in networks)
            {
                try
                {
                    await client.Networks.DeleteNetworkAsync(network.ID, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerApiException ex) when (ex.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Conflict)
                {
                    // Gone already, or still in use.
                }
            }
        }, cancellationToken);

    // ---- system

    public static Task PingAsync(this IDockerClient client, CancellationToken cancellationToken) =>
        client.CallAsync("answer /_ping", () => client.System.PingAsync(cancellationToken), cancellationToken);

    public static Task<VersionResponse> GetVersionAsync(this IDockerClient client, CancellationToken cancellationToken) =>
        client.CallAsync("report its version", () => client.System.GetVersionAsync(cancellationToken), cancellationToken);

    // ---- plumbing

    /// <summary>How this engine is named in messages: its <c>Docker:Host</c>.</summary>
    public static string Describe(this IDockerClient client) => $"the Docker engine at {client.Options.Endpoint}";

    /// <summary>
    /// True for what the engine or its transport can throw: a refusal, a connection that cannot be made or was cut,
    /// and the library's own request timeout (a cancellation nobody asked for).
    /// </summary>
    public static bool IsEngineFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        DockerEngineException or DockerApiException or HttpRequestException or IOException or SocketException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>One exception type whose message names the engine, keeping the engine's own reason.</summary>
    public static DockerEngineException Translate(this IDockerClient client, Exception exception, string what)
    {
        if (exception is DockerEngineException known) return known;
        if (exception is DockerApiException api)
        {
            return new DockerEngineException($"Docker engine refused to {what}: {(int)api.StatusCode} {EngineMessage(api.ResponseBody)}", api.StatusCode, api);
        }
        if (exception is OperationCanceledException)
        {
            return new DockerEngineException(
                $"No answer from {client.Describe()} within {DockerClientFactory.RequestTimeout.TotalSeconds:0} s ({what})", null, exception);
        }
        var innermost = Innermost(exception);
        // A socket error means no connection was made; anything else broke one that was working.
        return innermost is SocketException
            ? new DockerEngineException($"Cannot reach {client.Describe()} ({what}): {innermost.Message}", null, exception)
            : new DockerEngineException($"Lost the connection to {client.Describe()} ({what}): {innermost.Message}", null, exception);
    }

    private static async Task<T> CallAsync<T>(this IDockerClient client, string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsEngineFailure(ex, cancellationToken))
        {
            throw client.Translate(ex, what);
        }
    }

    private static Task CallAsync(this IDockerClient client, string what, Func<Task> call, CancellationToken cancellationToken) =>
        client.CallAsync(what, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs a streaming operation that reports through <see cref="IProgress{T}"/> and yields its messages in order. The
    /// operation's failure is thrown after the messages that came before it; leaving the loop early cancels it.
    /// </summary>
    private static async IAsyncEnumerable<JSONMessage> StreamAsync(this IDockerClient client, string what,
        Func<IProgress<JSONMessage>, CancellationToken, Task> operation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<JSONMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = RunAsync();
        var finished = false;
        try
        {
            await foreach (var message in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return message;
            }
            finished = true;
        }
        finally
        {
            if (!finished)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await run.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException || IsEngineFailure(ex, stop.Token))
                {
                    // The consumer left; how the operation ended no longer matters.
                }
            }
        }
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsEngineFailure(ex, cancellationToken))
        {
            throw client.Translate(ex, what);
        }

        async Task RunAsync()
        {
            try
            {
                await operation(new ChannelProgress(channel.Writer), stop.Token).ConfigureAwait(false);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }
    }

    private static Exception Innermost(Exception exception)
    {
        // The unix transport wraps the socket's reason in "The requested failed, see inner exception".
        while (exception.InnerException is { } inner && exception is HttpRequestException or AggregateException) exception = inner;
        return exception;
    }

    /// <summary>The <c>message</c> of the engine's error body, else the body as is.</summary>
    private static string EngineMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "(no message)";
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not the engine's error shape; show the raw text.
        }
        return body.Trim();
    }

    private static Dictionary<string, IDictionary<string, bool>> LabelFilter(IEnumerable<string> labels) =>
        new() { ["label"] = labels.ToDictionary(l => l, _ => true, StringComparer.Ordinal) };

    private sealed class ChannelProgress(ChannelWriter<JSONMessage> writer) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => writer.TryWrite(value);
    }
}
