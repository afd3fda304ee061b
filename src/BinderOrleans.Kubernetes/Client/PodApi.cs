using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>
/// The CoreV1 pod calls BinderHub makes, in the build namespace, through KubernetesClient: create, get, list, watch,
/// follow the log, delete. Expected failures (API errors, unreachable server, timeouts) come back as
/// <see cref="KubeError"/> values, never exceptions; only the caller's cancellation throws.
/// </summary>
internal sealed partial class PodApi : IDisposable
{
    private readonly IKubernetes _client;
    private readonly KubernetesOptions _options;

    public PodApi(KubeConnection connection, IOptions<KubernetesOptions> options, ILogger<PodApi> logger)
    {
        _options = options.Value;
        Namespace = connection.Namespace;
        Server = connection.Server;
        var configuration = connection.Configuration;
        // Watches and log follows have no overall limit; every other call is held to Kubernetes:RequestTimeout.
        configuration.HttpClientTimeout = _options.RequestTimeout;
        configuration.UserAgent = "BinderOrleans";
        configuration.FirstMessageHandlerSetup = handler =>
        {
            handler.ConnectTimeout = _options.ConnectTimeout;
            handler.UseProxy = false;
        };
        var source = connection.Source;
        _client = connection.TokenFile is { } tokenFile
            ? new k8s.Kubernetes(configuration, new TokenRefreshHandler(tokenFile, () => LogTokenRejected(logger, source)))
            : new k8s.Kubernetes(configuration);
    }

    public string Namespace { get; }

    public Uri Server { get; }

    /// <summary><c>GET /version</c>.</summary>
    public Task<KubeResult<VersionInfo>> GetVersionAsync(CancellationToken cancellationToken) =>
        CallAsync(ct => _client.Version.GetCodeAsync(ct), cancellationToken);

    /// <summary><c>POST …/pods</c>: 201 = created; 409 with reason <c>AlreadyExists</c> = <see cref="CreatePodOutcome.Exists"/>.</summary>
    public async Task<CreatePodResult> CreatePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var result = await CallAsync(ct => _client.CoreV1.CreateNamespacedPodAsync(pod, Namespace, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
        return result.Error switch
        {
            null => new CreatePodResult(CreatePodOutcome.Created, result.Value, null),
            { Code: 409, Reason: "AlreadyExists" } => new CreatePodResult(CreatePodOutcome.Exists, null, null),
            var error => new CreatePodResult(CreatePodOutcome.Failed, null, error),
        };
    }

    /// <summary><c>GET …/pods/{name}</c>; a missing pod is an error with <see cref="KubeError.IsNotFound"/>.</summary>
    public Task<KubeResult<V1Pod>> GetPodAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(ct => _client.CoreV1.ReadNamespacedPodAsync(name, Namespace, cancellationToken: ct), cancellationToken);

    /// <summary><c>GET …/pods?labelSelector=…[&amp;limit=…]</c>.</summary>
    public Task<KubeResult<V1PodList>> ListPodsAsync(string labelSelector, int? limit, CancellationToken cancellationToken) =>
        CallAsync(ct => _client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: labelSelector, limit: limit, cancellationToken: ct), cancellationToken);

    /// <summary>
    /// <c>DELETE …/pods/{name}</c> with <c>gracePeriodSeconds=0</c>. True when this call deleted it, false when it was
    /// already gone (404 is success: another replica or the cleaner got there first).
    /// </summary>
    public async Task<KubeResult<bool>> DeletePodAsync(string name, CancellationToken cancellationToken)
    {
        var result = await CallAsync(
            ct => _client.CoreV1.DeleteNamespacedPodAsync(name, Namespace, new V1DeleteOptions { GracePeriodSeconds = 0 }, gracePeriodSeconds: 0, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        return result.Error switch
        {
            null => KubeResult<bool>.Ok(true),
            { IsNotFound: true } => KubeResult<bool>.Ok(false),
            var error => error,
        };
    }

    /// <summary>
    /// One watch request (<c>labelSelector</c>, <c>timeoutSeconds</c>, bookmarks, and <c>resourceVersion</c> when given):
    /// its events until the server closes the stream at the timeout. A failed request or a broken stream ends with one
    /// error event whose error has code 0 (no answer) or the HTTP status; the API's own ERROR events (410 Gone) end it too.
    /// </summary>
    public async IAsyncEnumerable<PodWatchEvent> WatchPodsAsync(string labelSelector, string? resourceVersion,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(_options.WatchTimeout.TotalSeconds));
        // The server ends the stream after timeoutSeconds; this guard only stops a server that never does.
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(_options.WatchTimeout + _options.RequestTimeout);
        KubeError? reported = null;
        var events = _client.CoreV1.WatchListNamespacedPodAsync(Namespace, allowWatchBookmarks: true, labelSelector: labelSelector,
            resourceVersion: resourceVersion is { Length: > 0 } ? resourceVersion : null, timeoutSeconds: seconds,
            onError: ex => reported ??= WatchError(ex), cancellationToken: guard.Token);
        await using var enumerator = events.GetAsyncEnumerator(guard.Token);
        while (true)
        {
            bool more;
            KubeError? broken = null;
            try
            {
                more = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (guard.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                more = false;
            }
            catch (HttpRequestException ex) when (ex.InnerException is EndOfStreamException)
            {
                // KubernetesClient peeks at the first line of a watch response before handing out any event; a window
                // that ends at timeoutSeconds without one has no line, which it reports as EndOfStreamException.
                more = false;
            }
            catch (Exception ex) when (Describe(ex, cancellationToken) is { } error)
            {
                more = false;
                broken = error;
            }
            if ((reported ?? broken) is { } failure)
            {
                yield return PodWatchEvent.Failure(failure);
                yield break;
            }
            if (!more) yield break;
            var (type, pod) = enumerator.Current;
            yield return new PodWatchEvent(type, pod, null);
        }
    }

    /// <summary>
    /// <c>GET …/pods/{name}/log?follow=true&amp;container=…</c> from the first line (no <c>tailLines</c>: a late attacher
    /// gets the whole log). 400 means the container has not started yet.
    /// </summary>
    public async Task<KubeResult<PodLog>> OpenPodLogAsync(string name, string container, CancellationToken cancellationToken)
    {
        var result = await CallAsync(
            ct => _client.CoreV1.ReadNamespacedPodLogAsync(name, Namespace, container: container, follow: true, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        return result.Error is { } error ? error : KubeResult<PodLog>.Ok(new PodLog(result.Value));
    }

    private async Task<KubeResult<T>> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return KubeResult<T>.Ok(await call(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (Describe(ex, cancellationToken) is { } error)
        {
            return error;
        }
    }

    /// <summary>Turns a failed exchange into an error value; null for the caller's own cancellation (which propagates).</summary>
    private KubeError? Describe(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException => new KubeError(0, KubeError.Timeout, $"The Kubernetes API at {Server} did not answer in time."),
        HttpOperationException ex => FromResponse(ex),
        HttpRequestException ex => new KubeError(0, KubeError.Unreachable, $"The Kubernetes API at {Server} is unreachable: {ex.Message}"),
        IOException ex => new KubeError(0, KubeError.Unreachable, $"Talking to the Kubernetes API at {Server} failed: {ex.Message}"),
        UnauthorizedAccessException ex => new KubeError(0, KubeError.Unreachable, $"The Kubernetes credentials cannot be read: {ex.Message}"),
        k8s.Exceptions.KubeConfigException ex => new KubeError(0, KubeError.Unreachable, $"The Kubernetes credentials cannot be obtained: {ex.Message}"),
        System.Text.Json.JsonException ex => new KubeError(0, null, $"Unexpected answer from the Kubernetes API at {Server}: {ex.Message}"),
        _ => null,
    };

    /// <summary>The API's <c>Status</c> body when there is one, else the status line and a piece of the body.</summary>
    private static KubeError FromResponse(HttpOperationException exception)
    {
        var code = (int)(exception.Response?.StatusCode ?? 0);
        var text = exception.Response?.Content ?? "";
        try
        {
            if (KubernetesJson.Deserialize<V1Status>(text) is { Kind: "Status", Message: { Length: > 0 } message } status)
            {
                return new KubeError(code, status.Reason, message);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status object (a proxy's page, say): described below.
        }
        var reason = exception.Response?.ReasonPhrase ?? exception.Response?.StatusCode.ToString() ?? "";
        return new KubeError(code, reason, text.Length > 0 ? $"{code} {reason}: {Shorten(text)}" : $"{code} {reason}");
    }

    private static KubeError WatchError(Exception exception) => exception switch
    {
        KubernetesException { Status: { } status } => new KubeError(status.Code ?? 0, status.Reason, status.Message ?? "Watch error"),
        _ => new KubeError(0, null, $"Malformed watch event: {exception.Message}"),
    };

    private static string Shorten(string text) => text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";

    public void Dispose() => _client.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "The Kubernetes API refused the token from {Source}; re-reading it and retrying once")]
    private static partial void LogTokenRejected(ILogger logger, string source);
}
