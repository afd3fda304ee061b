using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.JupyterHub.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Launches;

/// <summary>
/// Launches through the JupyterHub REST API as BinderHub does: a fresh temporary user per attempt (or a named server of
/// <c>JupyterHub:NamedServerUser</c>), the image and a generated token in <c>user_options</c>, the hub's spawn progress
/// relayed as <c>launching</c>, <c>ready</c> with the public server URL. Failed attempts are retried with a fresh user
/// (<c>JupyterHub:Retries</c>, <c>JupyterHub:RetryDelay</c> doubling) and never leave their user or server behind.
/// With a logged-in user (<c>Binder:AuthEnabled</c>) the server is that user's: the default server (409 when one is
/// running), or with <c>JupyterHub:AllowNamedServers</c> a named server called as BinderHub's <c>unique_name_from_repo</c>
/// (409 at <c>JupyterHub:NamedServerLimitPerUser</c>); no user is created or deleted.
/// </summary>
internal sealed partial class JupyterHubLauncher : ILauncher
{
    /// <summary>How long removing a failed attempt's server and user may take (a spawn still pending must end first).</summary>
    public static readonly TimeSpan CleanupTimeout = TimeSpan.FromMinutes(2);

    private const int MaxCleanupCalls = 40;

    private readonly JupyterHubApi _api;
    private readonly JupyterHubOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JupyterHubLauncher> _logger;
    private readonly string _corsAllowOrigin;
    private readonly bool _authEnabled;

    public JupyterHubLauncher(JupyterHubApi api, IOptions<JupyterHubOptions> options, TimeProvider time, ILogger<JupyterHubLauncher> logger,
        IOptions<SiteOptions>? site = null)
    {
        _corsAllowOrigin = site?.Value.CorsAllowOrigin ?? "";
        _authEnabled = site?.Value.AuthEnabled ?? false;
        _api = api;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async IAsyncEnumerable<BinderEvent> LaunchAsync(LaunchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Hub calls report retries and progress while they run; a channel lets them speak through this stream.
        var events = Channel.CreateUnbounded<BinderEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = RunAsync(request, events.Writer, stop.Token);
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)) yield return e;
        }
        finally
        {
            // The reader may leave early (client gone): stop the attempt and wait for its cleanup.
            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
            // A server that came up while the reader was leaving was never handed out: it must not run for nobody.
            while (events.Reader.TryRead(out var unread))
            {
                if (unread.Phase == BinderPhase.Ready && unread.Server is { } server) await StopAsync(server, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task RunAsync(LaunchRequest request, ChannelWriter<BinderEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            var delay = _options.RetryDelay;
            for (var attempt = 1; ; attempt++)
            {
                var outcome = await AttemptAsync(request, attempt, events, cancellationToken).ConfigureAwait(false);
                if (outcome.Ready is { } ready)
                {
                    events.TryWrite(ready with { Retries = attempt - 1 });
                    return;
                }
                LogAttemptFailed(attempt, request.ImageName, outcome.Message);
                if (!outcome.Retryable || attempt >= _options.Retries)
                {
                    events.TryWrite(BinderEvent.Failed(outcome.Message, outcome.StatusCode));
                    return;
                }
                events.TryWrite(BinderEvent.Of(BinderPhase.Launching, $"Launch attempt {attempt} failed, retrying..."));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader went away; nothing to tell.
        }
        catch (Exception ex)
        {
            LogCrashed(ex, request.ImageName);
            events.TryWrite(BinderEvent.Failed($"Failed to launch image {request.ImageName}", 500));
        }
        finally
        {
            events.TryComplete();
        }
    }

    /// <summary>The hub user and server name of attempt <paramref name="attempt"/> (from 1) of a launch.</summary>
    private (string User, string Server) NamesOf(LaunchRequest request, int attempt)
    {
        if (request.User is { Length: > 0 } loggedIn)
        {
            // The logged-in user's default server, or BinderHub's server name for the repository.
            return (loggedIn, _options.AllowNamedServers ? HubNames.UniqueNameFromRepo(request.RepoUrl) : "");
        }
        var name = HubNames.UniqueNameFromRepo(request.RepoUrl, request.SessionId, attempt);
        return _options.AllowNamedServers ? (_options.NamedServerUser, name) : (name, "");
    }

    /// <summary>
    /// The server an attempt of this session already started (the session's names are derived from its id), adopted
    /// when it is ready with this request's image: the token comes back from its <c>user_options</c>. Anything else an
    /// attempt of the session left (a user without a server, a server not ready) is removed.
    /// </summary>
    public async Task<BinderEvent?> FindExistingAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        // A logged-in user's servers are theirs: never removed here, and one of another session is BinderHub's 409.
        if (request.SessionId is null || request.User is { Length: > 0 }) return null;
        BinderEvent? adopted = null;
        for (var attempt = 1; attempt <= _options.Retries; attempt++)
        {
            var (user, server) = NamesOf(request, attempt);
            var model = await _api.GetUserAsync(user, _ => { }, cancellationToken).ConfigureAwait(false);
            if (!model.IsSuccess) continue;
            var found = ServerOf(model.Body, server);
            var options = found?["user_options"];
            if (adopted is null && found?["ready"]?.GetValueKind() == JsonValueKind.True
                && options?["image"]?.GetValue<string>() == request.ImageName && options["token"]?.GetValue<string>() is { } token)
            {
                LogAdopted(user, server, request.ImageName);
                var url = new Uri(_options.PublicUri, HubPaths.PublicServer(user, server)).AbsoluteUri;
                adopted = new BinderEvent { Phase = BinderPhase.Ready, Url = url, Token = token, Server = user + "/" + server };
                continue;
            }
            await CleanupAsync(user, server, _options.AllowNamedServers, keepUser: false).ConfigureAwait(false);
        }
        return adopted;
    }

    private async Task<AttemptOutcome> AttemptAsync(LaunchRequest request, int attempt, ChannelWriter<BinderEvent> events, CancellationToken cancellationToken)
    {
        var named = _options.AllowNamedServers;
        // Binder:AuthEnabled: the logged-in user's own server (BinderHub's auth mode); otherwise a temporary user.
        var loggedIn = request.User is { Length: > 0 };
        var (user, server) = NamesOf(request, attempt);
        var image = request.ImageName;
        void Tell(string message) => events.TryWrite(BinderEvent.Of(BinderPhase.Launching, message));

        using var timeout = new CancellationTokenSource(_options.LaunchTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var ct = linked.Token;
        // Set once the hub may hold something of this attempt (the temporary user, the named server): a failed attempt removes it.
        var mustCleanUp = false;
        var succeeded = false;
        try
        {
            if (loggedIn)
            {
                // The user exists (they logged in); BinderHub refuses a second default server, or one named server too many.
                var refusal = named
                    ? _options.NamedServerLimitPerUser > 0 ? await CheckNamedServerLimitAsync(user, Tell, ct).ConfigureAwait(false) : null
                    : await CheckNoDefaultServerAsync(user, Tell, ct).ConfigureAwait(false);
                if (refusal is not null) return refusal;
            }
            else
            {
                // Interrupted while asking, the user may exist; answered, it is ours unless the first answer was 409
                // (someone else's user); a 5xx may have created it.
                mustCleanUp = !named;
                var created = await _api.CreateUserAsync(user, Tell, ct).ConfigureAwait(false);
                mustCleanUp = !named && (created.IsSuccess || created.Status >= 500);
                if (!created.IsSuccess && !(named && created.Status == 409))
                {
                    var what = named ? $"Failed to create user {user} for {image}" : $"Failed to create temporary user for {image}";
                    return FromHub(what, created);
                }
                if (named && _options.NamedServerLimitPerUser > 0 && await CheckNamedServerLimitAsync(user, Tell, ct).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }
            }

            var token = HubNames.NewServerToken();
            mustCleanUp = true;
            var started = await _api.StartServerAsync(user, server, UserOptions(request, token, _corsAllowOrigin), Tell, ct).ConfigureAwait(false);
            // A 500 means the hub tried and the spawn failed: the progress stream carries the spawner's reason.
            if (!started.IsSuccess && started.Status != 500) return FromHub($"Failed to launch image {image}", started);

            var outcome = await FollowProgressAsync(user, server, image, started, Tell, ct).ConfigureAwait(false);
            if (outcome is not null) return outcome;

            var url = new Uri(_options.PublicUri, HubPaths.PublicServer(user, server)).AbsoluteUri;
            succeeded = true;
            LogReady(user, server, image);
            return AttemptOutcome.Succeeded(new BinderEvent { Phase = BinderPhase.Ready, Url = url, Token = token, Server = user + "/" + server });
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Failed($"Image {image} for user {user} took too long to launch");
        }
        finally
        {
            if (mustCleanUp && !succeeded) await CleanupAsync(user, server, named, keepUser: loggedIn).ConfigureAwait(false);
        }
    }

    /// <summary>Null when the server became ready; otherwise why not.</summary>
    private async Task<AttemptOutcome?> FollowProgressAsync(string user, string server, string image, HubResponse started, Action<string> tell,
        CancellationToken ct)
    {
        using var stream = await _api.OpenProgressAsync(user, server, tell, ct).ConfigureAwait(false);
        if (!stream.Status.IsSuccess)
        {
            if (!stream.Status.Reached) return FromHub($"Failed to launch image {image}", stream.Status);
            // 400 "not starting": the spawn is over; the server model says how it ended.
            if (started.Status == 500) return FromHub($"Failed to launch image {image}", started);
            return await ReadyFromUserModelAsync(user, server, image, tell, ct).ConfigureAwait(false);
        }
        await foreach (var e in stream.ReadAsync(ct).ConfigureAwait(false))
        {
            if (e.Failed) return AttemptOutcome.Failed(e.Message is { Length: > 0 } m ? m : $"Image {image} failed to launch");
            if (e.Message is { Length: > 0 } message) tell(message);
            if (e.Ready) return null;
        }
        // The stream ended without a verdict (hub restarted, proxy cut it): ask the hub directly.
        return await ReadyFromUserModelAsync(user, server, image, tell, ct).ConfigureAwait(false);
    }

    private async Task<AttemptOutcome?> ReadyFromUserModelAsync(string user, string server, string image, Action<string> tell, CancellationToken ct)
    {
        var model = await _api.GetUserAsync(user, tell, ct).ConfigureAwait(false);
        if (!model.IsSuccess) return FromHub($"Failed to launch image {image}", model);
        return ServerOf(model.Body, server)?["ready"]?.GetValueKind() == JsonValueKind.True
            ? null
            : AttemptOutcome.Failed($"Image {image} for user {user} failed to launch");
    }

    private async Task<AttemptOutcome?> CheckNamedServerLimitAsync(string user, Action<string> tell, CancellationToken ct)
    {
        var model = await _api.GetUserAsync(user, tell, ct).ConfigureAwait(false);
        if (!model.IsSuccess) return FromHub($"Failed to look up the servers of {user}", model);
        var servers = JsonNode.Parse(model.Body)?["servers"] as JsonObject;
        var count = servers?.Count(s => s.Key.Length > 0) ?? 0;
        var limit = _options.NamedServerLimitPerUser;
        return count >= limit
            ? AttemptOutcome.Failed($"User {user} already has the maximum of {limit} named servers.  One must be deleted before a new server can be created", 409, retryable: false)
            : null;
    }

    /// <summary>BinderHub's auth mode without named servers: one default server per user; a running (or starting) one → 409.</summary>
    private async Task<AttemptOutcome?> CheckNoDefaultServerAsync(string user, Action<string> tell, CancellationToken ct)
    {
        var model = await _api.GetUserAsync(user, tell, ct).ConfigureAwait(false);
        if (!model.IsSuccess) return FromHub($"Failed to look up the servers of {user}", model);
        return ServerOf(model.Body, "") is not null
            ? AttemptOutcome.Failed($"User {user} already has a running server.", 409, retryable: false)
            : null;
    }

    /// <summary>
    /// Stops the server <paramref name="server"/> (<c>user/server</c>, from the <c>ready</c> event) and deletes its
    /// temporary user; with named servers the server is removed and the user kept.
    /// </summary>
    public async Task StopAsync(string server, CancellationToken cancellationToken)
    {
        var slash = server.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) throw new ArgumentException($"Not a server of this launcher: {server}", nameof(server));
        // A logged-in user's account is theirs: only the server goes.
        await CleanupAsync(server[..slash], server[(slash + 1)..], _options.AllowNamedServers, keepUser: _authEnabled).ConfigureAwait(false);
        LogStopped(server[..slash], server[(slash + 1)..]);
    }

    /// <summary>Stops and removes what a failed attempt created; bounded by <see cref="CleanupTimeout"/>, not by the launch.</summary>
    private async Task CleanupAsync(string user, string server, bool named, bool keepUser)
    {
        using var budget = new CancellationTokenSource(CleanupTimeout, _time);
        var ct = budget.Token;
        try
        {
            // A server still spawning cannot be stopped yet (400 "pending spawn, please wait"): wait for the hub.
            var stopped = await RepeatWhileHubSaysWaitAsync(() => _api.DeleteServerAsync(user, server, remove: named, ct), ct).ConfigureAwait(false);
            if (!stopped.IsSuccess && stopped.Status != 404)
            {
                LogCleanupIncomplete(user, server, stopped.Describe(_api.ApiUri));
                return;
            }
            if (named || keepUser) return;
            var deleted = await RepeatWhileHubSaysWaitAsync(() => _api.DeleteUserAsync(user, ct), ct).ConfigureAwait(false);
            if (!deleted.IsSuccess && deleted.Status != 404) LogCleanupIncomplete(user, server, deleted.Describe(_api.ApiUri));
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            LogCleanupIncomplete(user, server, "timed out");
        }
    }

    /// <summary>Repeats while the hub answers 400 "… please wait" (spawn or stop pending); returns the last answer.</summary>
    private async Task<HubResponse> RepeatWhileHubSaysWaitAsync(Func<Task<HubResponse>> call, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        for (var i = 1; ; i++)
        {
            var response = await call().ConfigureAwait(false);
            if (i >= MaxCleanupCalls || response.Status != 400 || !response.HubMessage.Contains("wait", StringComparison.OrdinalIgnoreCase))
            {
                return response;
            }
            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private AttemptOutcome FromHub(string what, HubResponse response) =>
        // 4xx other than 409 (name taken) and 429 (spawn limit) are configuration faults a new attempt will not fix.
        AttemptOutcome.Failed($"{what}: {response.Describe(_api.ApiUri)}", 500,
            retryable: !response.Reached || response.Status is >= 500 or 409 or 429);

    /// <summary>BinderHub's <c>user_options</c>, plus <c>cors_allow_origin</c> when set, for the spawner to pass on as the notebook's <c>allow_origin</c>.</summary>
    internal static JsonObject UserOptions(LaunchRequest request, string token, string corsAllowOrigin = "")
    {
        var options = new JsonObject
        {
            ["image"] = request.ImageName,
            ["repo_url"] = request.RepoUrl,
            ["token"] = token,
            ["binder_ref_url"] = request.RefUrl,
            ["binder_launch_host"] = request.LaunchHost,
            ["binder_request"] = request.BinderRequest,
            ["binder_persistent_request"] = request.PersistentRequest,
            ["binder_client_ip"] = request.ClientIp,
        };
        if (corsAllowOrigin.Length > 0) options["cors_allow_origin"] = corsAllowOrigin;
        return options;
    }

    private static JsonNode? ServerOf(string userModel, string server)
    {
        try
        {
            return JsonNode.Parse(userModel)?["servers"]?[server];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {Server} of hub user {User} ready for {Image}")]
    private partial void LogReady(string user, string server, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {Server} of hub user {User} for {Image} adopted by its restarted session")]
    private partial void LogAdopted(string user, string server, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped server {Server} of hub user {User}, which no client claimed")]
    private partial void LogStopped(string user, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Launch attempt {Attempt} of {Image} failed: {Reason}")]
    private partial void LogAttemptFailed(int attempt, string image, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Launching {Image} through JupyterHub crashed")]
    private partial void LogCrashed(Exception exception, string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove hub user {User} / server {Server} of a failed launch: {Reason}")]
    private partial void LogCleanupIncomplete(string user, string server, string reason);
}
