using System.Globalization;
using System.Runtime.CompilerServices;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Proxy;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Launches;

/// <summary>
/// Runs the image as a Jupyter server on this host, as uid <c>Docker:UserId</c> (1000): a fresh token, the image's entrypoint kept (so the repository's
/// <c>start</c> runs) and the command replaced by <c>Docker:ServerCommand</c> plus address, port, token and (behind the
/// proxy, <c>Docker:Proxy</c>) <c>base_url</c>. Behind the proxy nothing is published: the server is asked on its
/// address in <c>Docker:ServerNetwork</c> and handed out at <c>&lt;service&gt;user/&lt;name&gt;/</c>; without it, on a free
/// port of <c>Docker:ServerIp</c>. Ready once <c>/api/status</c> answers 200. A server that exits or does not answer within
/// <c>Docker:LaunchTimeout</c> is removed and reported with its last log lines; so is a cancelled launch.
/// </summary>
internal sealed partial class DockerLauncher : ILauncher
{
    /// <summary>
    /// How often <c>/api/status</c> is asked while a server starts, with one launch waiting. A refused connection costs
    /// next to nothing, and a coarser interval is added in full to every launch (at 250 ms launches fell into two groups
    /// 250 ms apart). With many launches waiting at once each asks less often (<see cref="PollBudgetPerLaunch"/>), so
    /// the probes together stay near 1 000 a second instead of starving the machine the servers start on.
    /// </summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Each launch waiting at the same time adds this to every waiting launch's interval.</summary>
    internal static readonly TimeSpan PollBudgetPerLaunch = TimeSpan.FromMilliseconds(1);

    private static int _waiting;

    /// <summary>How long <see cref="PollInterval"/> applies; a server slower than this is asked every <see cref="StateInterval"/>.</summary>
    internal static readonly TimeSpan FastPollFor = TimeSpan.FromSeconds(10);

    /// <summary>How often the engine is asked whether the server container still runs (an engine call, so less often).</summary>
    internal static readonly TimeSpan StateInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private const int PortAttempts = 3;
    private const int LogTail = 30;
    private static readonly string ContainerPortText = DockerOptions.ContainerPort.ToString(CultureInfo.InvariantCulture);
    private static readonly string ContainerPortKey = ContainerPortText + "/tcp";

    private readonly IDockerClient _engine;
    private readonly NotebookStatusClient _status;
    private readonly DockerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IImagePuller? _puller;
    private readonly ServerNetwork _network;
    private readonly string _corsAllowOrigin;
    private readonly StartSlots _starts;
    private readonly ServerRoutes? _routes;
    private readonly string _basePath;

    public DockerLauncher(IDockerClient engine, NotebookStatusClient status, IOptions<DockerOptions> options, TimeProvider time,
        ILogger<DockerLauncher> logger, IImagePuller? puller = null, IOptions<SiteOptions>? site = null, ServerRoutes? routes = null)
    {
        _routes = routes;
        _basePath = BasePath(site?.Value.BaseUrl);
        _network = new ServerNetwork(engine, options.Value);
        _starts = new StartSlots(options.Value.MaxConcurrentStarts);
        _corsAllowOrigin = site?.Value.CorsAllowOrigin ?? "";
        _puller = puller;
        _engine = engine;
        _status = status;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // With a registry, an image built elsewhere (or before a restart) is pulled first.
        if (_puller is not null)
        {
            await foreach (var e in _puller.EnsureLocalAsync(request.ImageName, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
                if (e.Phase == BinderPhase.Failed) yield break;
            }
        }

        var (image, lookupError) = await InspectImageAsync(request.ImageName, cancellationToken).ConfigureAwait(false);
        if (image is null)
        {
            LogLaunchFailed(request.ImageName, lookupError!);
            yield return BinderEvent.Failed($"Failed to launch image {request.ImageName}: {lookupError}", 500);
            yield break;
        }

        // Servers start a few at a time: beyond what the cores run, more at once only makes every one of them slower.
        // One place in the queue for the whole wait (first come, first served), with a word every few seconds.
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var taking = _starts.TakeAsync(stopWaiting.Token);
        var waited = false;
        try
        {
            while (!taking.IsCompleted)
            {
                await Task.WhenAny(taking, Task.Delay(ProgressInterval, _time, cancellationToken)).ConfigureAwait(false);
                if (taking.IsCompleted) break;
                cancellationToken.ThrowIfCancellationRequested();
                yield return BinderEvent.Of(BinderPhase.Launching,
                    $"Waiting for one of {_starts.Max} server starts to finish ({_starts.Waiting} launches waiting)...");
            }
            waited = true;
        }
        finally
        {
            if (!waited)
            {
                // The client left while waiting: out of the queue, and a slot that came anyway goes back.
                await stopWaiting.CancelAsync().ConfigureAwait(false);
                StartSlots.Abandon(taking);
            }
        }
        var slot = await taking.ConfigureAwait(false);

        var token = NotebookToken.New();
        Server? server = null;
        var keep = false;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (started, startError) = await StartServerAsync(request, token, cancellationToken).ConfigureAwait(false);
                // With a published port the engine itself finds the port taken: try another one.
                if (started is null && attempt < PortAttempts && IsPortTaken(startError!))
                {
                    yield return BinderEvent.Of(BinderPhase.Launching, "The port was taken; retrying on another port...");
                    continue;
                }
                if (started is null)
                {
                    LogLaunchFailed(request.ImageName, startError!);
                    yield return BinderEvent.Failed($"Failed to launch image {request.ImageName}: {startError}", 500);
                    yield break;
                }
                server = started;
                yield return BinderEvent.Of(BinderPhase.Launching, $"Server container {server.Name} started; waiting for Jupyter on port {server.Port}...");

                var began = _time.GetTimestamp();
                var nextProgress = ProgressInterval;
                var nextState = TimeSpan.Zero;
                string? failure = null;
                Interlocked.Increment(ref _waiting);
                try
                {
                    while (true)
                    {
                        if (server.LocalUrl is { } local && await _status.GetAsync(local, token, cancellationToken).ConfigureAwait(false) is not null)
                        {
                            keep = true;
                            break;
                        }
                        var elapsed = _time.GetElapsedTime(began);
                        if (elapsed >= DockerOptions.StartSlotHold) slot.Dispose();
                        if (elapsed >= nextState)
                        {
                            nextState = elapsed + StateInterval;
                            var state = await InspectStateAsync(server.Id, cancellationToken).ConfigureAwait(false);
                            if (state is { Running: false } or null)
                            {
                                failure = state is null ? "the server container disappeared." : $"the server exited (exit code {state.ExitCode}) before it answered.";
                                break;
                            }
                        }
                        if (elapsed >= _options.LaunchTimeout)
                        {
                            failure = $"the server did not answer within {_options.LaunchTimeout.TotalSeconds:0} s (Docker:LaunchTimeout).";
                            break;
                        }
                        if (elapsed >= nextProgress)
                        {
                            nextProgress += ProgressInterval;
                            yield return BinderEvent.Of(BinderPhase.Launching, $"Waiting for the server to start ({elapsed.TotalSeconds:0} s)...");
                        }
                        await Task.Delay(elapsed < FastPollFor ? NextPoll() : StateInterval, _time, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                }

                if (keep)
                {
                    slot.Dispose();
                    if (_options.Proxy && _routes is not null)
                    {
                        // Until its route is in place a cancelled launch still removes its server.
                        keep = false;
                        await _routes.AddAsync(new ServerRoute(server.Name, server.Id, server.LocalUrl!.GetLeftPart(UriPartial.Authority)), cancellationToken)
                            .ConfigureAwait(false);
                        keep = true;
                    }
                    LogLaunched(request.ImageName, server.Name, server.Port);
                    yield return new BinderEvent
                    {
                        Phase = BinderPhase.Ready,
                        Message = $"server running at {server.PublicUrl}\n",
                        Url = server.PublicUrl.AbsoluteUri,
                        Token = token,
                        Retries = attempt - 1,
                        Server = server.Id,
                    };
                    yield break;
                }

                var logs = await TailLogsAsync(server.Id).ConfigureAwait(false);
                await RemoveQuietlyAsync(server.Id).ConfigureAwait(false);
                server = null;
                // Another process may have taken the port between our check and the server's bind: try another one.
                if (attempt < PortAttempts && IsPortTaken(logs))
                {
                    yield return BinderEvent.Of(BinderPhase.Launching, "The port was taken; retrying on another port...");
                    continue;
                }
                LogLaunchFailed(request.ImageName, failure!);
                var detail = logs.Length > 0 ? $"\nLast lines of the server log:\n{logs.TrimEnd()}" : "";
                yield return BinderEvent.Failed($"Image {request.ImageName} failed to launch: {failure}{detail}", 500);
                yield break;
            }
        }
        finally
        {
            if (!keep && server is not null) await RemoveQuietlyAsync(server.Id).ConfigureAwait(false);
            slot.Dispose();
        }
    }

    /// <summary>Removes the server container <paramref name="server"/> (its id, from the <c>ready</c> event); gone already is fine.</summary>
    public async Task StopAsync(string server, CancellationToken cancellationToken)
    {
        if (_routes is not null)
        {
            // By name too: the cluster knows the server's home by its name.
            var name = (await _engine.FindContainerAsync(server, cancellationToken).ConfigureAwait(false))?.Name?.TrimStart('/');
            await _routes.RemoveAsync(server, name, cancellationToken).ConfigureAwait(false);
        }
        await _engine.RemoveContainerIfExistsAsync(server, cancellationToken).ConfigureAwait(false);
        LogStopped(server);
    }

    /// <summary>
    /// The server container labelled with the request's session that is running and answers with its token (read back
    /// from its command line); containers of the session that do not (a start the lost activation left half done) are
    /// removed.
    /// </summary>
    public async Task<BinderEvent?> FindExistingAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        if (request.SessionId is not { } session) return null;
        var containers = await _engine.ListContainersAsync([$"{DockerLabels.LaunchSession}={session}"], all: true, cancellationToken).ConfigureAwait(false);
        BinderEvent? adopted = null;
        foreach (var container in containers)
        {
            if (adopted is null && await AnsweringServerAsync(container, request, cancellationToken).ConfigureAwait(false) is { } ready)
            {
                adopted = ready;
                continue;
            }
            await RemoveQuietlyAsync(container.ID).ConfigureAwait(false);
        }
        return adopted;
    }

    private async Task<BinderEvent?> AnsweringServerAsync(ContainerListResponse container, LaunchRequest request, CancellationToken cancellationToken)
    {
        if (container.State != "running") return null;
        var inspected = await _engine.FindContainerAsync(container.ID, cancellationToken).ConfigureAwait(false);
        const string TokenOption = "--ServerApp.token=";
        if (inspected?.Config?.Cmd?.FirstOrDefault(a => a.StartsWith(TokenOption, StringComparison.Ordinal)) is not { } option) return null;
        var token = option[TokenOption.Length..];
        // Published (its port) or behind the proxy (its address in its network and its base_url), as it was started.
        if (ServerAddress.Of(inspected, _options) is not { } local) return null;
        if (await _status.GetAsync(local, token, cancellationToken).ConfigureAwait(false) is null) return null;
        var name = inspected.Name.TrimStart('/');
        Uri url;
        if (DockerLabels.Get(container.Labels, DockerLabels.LaunchPath) is not null)
        {
            if (_routes is not null) await _routes.AddAsync(new ServerRoute(name, container.ID, local.GetLeftPart(UriPartial.Authority)), cancellationToken).ConfigureAwait(false);
            url = BelowService(request, name);
        }
        else
        {
            url = ServerAddress.Url(_options.PublicHost, local.Port, "/");
        }
        LogAdopted(container.ID, local.Port);
        return new BinderEvent { Phase = BinderPhase.Ready, Message = $"server running at {url}\n", Url = url.AbsoluteUri, Token = token, Server = container.ID };
    }

    /// <summary>Where a server behind the proxy is handed out: below this service's URL as the client used it.</summary>
    private Uri BelowService(LaunchRequest request, string name)
    {
        var service = request.ServiceUrl is { Length: > 0 } url ? new Uri(url) : new UriBuilder(Uri.UriSchemeHttp, _options.PublicHost).Uri;
        return new Uri(service, $"{service.AbsolutePath.TrimEnd('/')}/user/{name}/");
    }

    /// <summary><c>Binder:BaseUrl</c> as a path with a slash on both ends (<c>/</c> for none).</summary>
    internal static string BasePath(string? baseUrl) => (baseUrl ?? "").Trim('/') is { Length: > 0 } inner ? $"/{inner}/" : "/";

    private static TimeSpan NextPoll()
    {
        var share = PollBudgetPerLaunch * Volatile.Read(ref _waiting);
        return share > PollInterval ? (share < StateInterval ? share : StateInterval) : PollInterval;
    }

    private static bool IsPortTaken(string text) =>
        text.Contains("already in use", StringComparison.OrdinalIgnoreCase) || text.Contains("already allocated", StringComparison.OrdinalIgnoreCase);

    private async Task<(Server? Server, string? Error)> StartServerAsync(LaunchRequest request, string token, CancellationToken cancellationToken)
    {
        if (await _network.EnsureAsync(cancellationToken).ConfigureAwait(false) is { } networkError) return (null, networkError);
        var hostNetwork = _network.IsHost;
        // Behind the proxy in its own network a server needs no port of the host; in the host's network it still does.
        var publish = !_options.Proxy || hostNetwork;
        var port = publish ? LoopbackPorts.FindFree(_options.ServerIp) : DockerOptions.ContainerPort;
        var launchId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        var name = "binder-" + launchId;
        var basePath = _options.Proxy ? $"{_basePath}user/{name}/" : null;
        var labels = new Dictionary<string, string>(_options.Labels, StringComparer.Ordinal)
        {
            [DockerLabels.Launch] = launchId,
            [DockerLabels.LaunchRepo] = request.RepoUrl,
            [DockerLabels.LaunchImage] = request.ImageName,
            [DockerLabels.LaunchCreated] = _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        if (request.SessionId is { } session) labels[DockerLabels.LaunchSession] = session;
        if (publish) labels[DockerLabels.LaunchPort] = port.ToString(CultureInfo.InvariantCulture);
        if (basePath is not null) labels[DockerLabels.LaunchPath] = basePath;
        var portText = port.ToString(CultureInfo.InvariantCulture);
        List<string> command =
        [
            .. _options.ServerCommand.Count > 0 ? _options.ServerCommand : DockerOptions.DefaultServerCommand,
            // In its own network the server listens on every address of its container; the engine publishes the port.
            $"--ip={(hostNetwork ? _options.ServerIp : "0.0.0.0")}",
            $"--port={(hostNetwork ? portText : ContainerPortText)}",
            $"--NotebookApp.token={token}",
            $"--ServerApp.token={token}",
            "--NotebookApp.port_retries=0",
            "--ServerApp.port_retries=0",
            "--NotebookApp.open_browser=False",
            "--ServerApp.open_browser=False",
            .. NotebookCors.Arguments(_corsAllowOrigin),
        ];
        if (basePath is not null) command.AddRange([$"--NotebookApp.base_url={basePath}", $"--ServerApp.base_url={basePath}"]);
        var body = new CreateContainerParameters
        {
            Name = name,
            Image = request.ImageName,
            // As Zero to JupyterHub runs single-user servers: a fixed uid, not the image's last USER (empty: the image's).
            User = _options.UserId?.ToString(CultureInfo.InvariantCulture) ?? "",
            Cmd = command,
            Labels = labels,
            Env =
            [
                $"BINDER_REPO_URL={request.RepoUrl}",
                $"BINDER_REF_URL={request.RefUrl}",
                $"BINDER_LAUNCH_HOST={request.LaunchHost}",
                $"BINDER_PERSISTENT_REQUEST={request.PersistentRequest}",
                $"BINDER_REQUEST={request.BinderRequest}",
                $"BINDER_CLIENT_IP={request.ClientIp}",
            ],
            ExposedPorts = hostNetwork ? null : new Dictionary<string, EmptyStruct> { [ContainerPortKey] = default },
            HostConfig = ServerHostConfig(publish && !hostNetwork, portText),
        };

        string id;
        try
        {
            id = await _engine.CreateContainerAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerEngineException ex)
        {
            return (null, ex.Message);
        }
        try
        {
            await _engine.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException)
        {
            await RemoveQuietlyAsync(id).ConfigureAwait(false);
            if (ex is OperationCanceledException) throw;
            return (null, ex.Message);
        }
        if (publish && basePath is null)
        {
            return (new Server(id, name, port, ServerAddress.Url(ServerAddress.LocalHost(_options), port, "/"), ServerAddress.Url(_options.PublicHost, port, "/")), null);
        }
        // Behind the proxy: asked where it listens (its address in its network, or the host's port), handed out below this service.
        string? host = ServerAddress.LocalHost(_options);
        if (!publish)
        {
            ContainerInspectResponse? inspected;
            try
            {
                inspected = await _engine.FindContainerAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException)
            {
                // A launch cancelled here (its client gone) must not leave the container it just started.
                await RemoveQuietlyAsync(id).ConfigureAwait(false);
                if (ex is OperationCanceledException) throw;
                return (null, ex.Message);
            }
            host = inspected is null ? null : ServerAddress.ContainerIp(inspected);
            // A server that exited at once has no address: the wait reports its exit code and log, as for any server.
            if (host is null && inspected?.State is not { Running: false })
            {
                await RemoveQuietlyAsync(id).ConfigureAwait(false);
                return (null, $"the server container has no address in the network '{_options.ServerNetwork}' (Docker:ServerNetwork).");
            }
        }
        var local = host is null ? null : ServerAddress.Url(host, port, basePath!);
        return (new Server(id, name, port, local, BelowService(request, name)), null);
    }

    /// <summary>
    /// What keeps a server from harming the host: its own network (published on <c>Docker:ServerIp</c> only, or not at all behind the proxy), memory
    /// with no swap beyond it, CPU and process limits, no capabilities and no way to gain privileges (setuid binaries
    /// do not elevate). A Jupyter server needs none of them.
    /// </summary>
    private HostConfig ServerHostConfig(bool publishPort, string hostPort)
    {
        var memory = _options.MemoryLimitBytes ?? 0;
        var config = new HostConfig
        {
            NetworkMode = _options.ServerNetwork,
            Memory = memory,
            MemorySwap = memory,
            NanoCPUs = (long)Math.Round(_options.CpuLimit * 1e9),
            PidsLimit = _options.PidsLimit > 0 ? _options.PidsLimit : null,
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
        };
        if (publishPort)
        {
            config.PortBindings = new Dictionary<string, IList<PortBinding>>
            {
                [ContainerPortKey] = [new PortBinding { HostIP = _options.ServerIp, HostPort = hostPort }],
            };
        }
        return config;
    }

    private async Task<(ImageInspectResponse? Image, string? Error)> InspectImageAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _engine.FindImageAsync(name, cancellationToken).ConfigureAwait(false) is { } image
                ? (image, null)
                : (null, "the image is not in the Docker engine.");
        }
        catch (DockerEngineException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>The container's state; null when it is gone. An engine hiccup counts as still running (the timeout still applies).</summary>
    private async Task<State?> InspectStateAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var container = await _engine.FindContainerAsync(id, cancellationToken).ConfigureAwait(false);
            return container is null ? null : container.State ?? new State { Running = true };
        }
        catch (DockerEngineException)
        {
            return new State { Running = true };
        }
    }

    private async Task<string> TailLogsAsync(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await _engine.TailLogsAsync(id, LogTail, timeout.Token).ConfigureAwait(false) ?? "";
        }
        catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException)
        {
            return "";
        }
    }

    /// <summary>Removes a server we will not hand out; runs on its own timeout because the launch may be cancelled.</summary>
    private async Task RemoveQuietlyAsync(string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _engine.RemoveContainerIfExistsAsync(id, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException)
        {
            LogRemoveFailed(ex, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Launched {Image} as {Container} on port {Port}")]
    private partial void LogLaunched(string image, string container, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed server container {Container}")]
    private partial void LogStopped(string container);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server container {Container} on port {Port} adopted by its restarted session")]
    private partial void LogAdopted(string container, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Launch of {Image} failed: {Reason}")]
    private partial void LogLaunchFailed(string image, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove server container {Container}")]
    private partial void LogRemoveFailed(Exception exception, string container);

    /// <param name="LocalUrl">Where it answers; null while it has no address (it exited at once: the wait reports why).</param>
    private sealed record Server(string Id, string Name, int Port, Uri? LocalUrl, Uri PublicUrl);
}
