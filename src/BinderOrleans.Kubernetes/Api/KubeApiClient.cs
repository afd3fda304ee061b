using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Kubernetes.Api.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Kubernetes.Api;

/// <summary>
/// The CoreV1 pod calls BinderHub makes, in one namespace, over HTTP/JSON: create, get, list, watch, follow the log,
/// delete. Expected failures (API errors, unreachable server, timeouts) are <see cref="KubeError"/> values, never exceptions;
/// only the caller's cancellation throws.
/// </summary>
internal sealed partial class KubeApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly KubeConnection _connection;
    private readonly KubernetesOptions _options;
    private readonly ILogger _logger;

    public KubeApiClient(KubeConnection connection, IOptions<KubernetesOptions> options, ILogger<KubeApiClient> logger)
    {
        _connection = connection;
        _options = options.Value;
        _logger = logger;
        // No client-wide timeout: watches and log follows are long; each call sets its own limit.
        _http = new HttpClient(connection.CreateHandler(_options.ConnectTimeout)) { BaseAddress = connection.Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("BinderOrleans", "1.0"));
    }

    public string Namespace => _connection.Namespace;

    public Uri Server => _connection.Server;

    private string PodsPath => $"api/v1/namespaces/{Uri.EscapeDataString(Namespace)}/pods";

    private string PodPath(string name) => $"{PodsPath}/{Uri.EscapeDataString(name)}";

    /// <summary><c>GET /version</c>.</summary>
    public Task<KubeResult<KubeVersion>> GetVersionAsync(CancellationToken cancellationToken) =>
        CallAsync(() => new HttpRequestMessage(HttpMethod.Get, "version"), ReadAsync<KubeVersion>, cancellationToken);

    /// <summary><c>POST …/pods</c>: 201 = created; 409 with reason <c>AlreadyExists</c> = <see cref="CreatePodOutcome.Exists"/>.</summary>
    public async Task<CreatePodResult> CreatePodAsync(JsonObject pod, CancellationToken cancellationToken)
    {
        var body = pod.ToJsonString();
        var result = await CallAsync<Pod?>(
            () => new HttpRequestMessage(HttpMethod.Post, PodsPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") },
            async (response, ct) =>
            {
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    var conflict = await ReadErrorAsync(response, ct).ConfigureAwait(false);
                    return conflict.Reason == "AlreadyExists" ? KubeResult<Pod?>.Ok(null) : conflict;
                }
                var created = await ReadAsync<Pod>(response, ct).ConfigureAwait(false);
                return created.Error is { } e ? e : KubeResult<Pod?>.Ok(created.Value);
            },
            cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error) return new CreatePodResult(CreatePodOutcome.Failed, null, error);
        return result.Value is null ? new CreatePodResult(CreatePodOutcome.Exists, null, null) : new CreatePodResult(CreatePodOutcome.Created, result.Value, null);
    }

    /// <summary><c>GET …/pods/{name}</c>; a missing pod is an error with <see cref="KubeError.IsNotFound"/>.</summary>
    public Task<KubeResult<Pod>> GetPodAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(() => new HttpRequestMessage(HttpMethod.Get, PodPath(name)), ReadAsync<Pod>, cancellationToken);

    /// <summary><c>GET …/pods?labelSelector=…[&amp;limit=…]</c>.</summary>
    public Task<KubeResult<PodList>> ListPodsAsync(string labelSelector, int? limit, CancellationToken cancellationToken)
    {
        var query = "?labelSelector=" + Uri.EscapeDataString(labelSelector) + (limit is { } l ? "&limit=" + l.ToString(CultureInfo.InvariantCulture) : "");
        return CallAsync(() => new HttpRequestMessage(HttpMethod.Get, PodsPath + query), ReadAsync<PodList>, cancellationToken);
    }

    /// <summary>
    /// <c>DELETE …/pods/{name}</c> with <c>gracePeriodSeconds=0</c>. True when this call deleted it, false when it was
    /// already gone (404 is success: another replica or the cleaner got there first).
    /// </summary>
    public Task<KubeResult<bool>> DeletePodAsync(string name, CancellationToken cancellationToken)
    {
        const string options = """{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0}""";
        return CallAsync(
            () => new HttpRequestMessage(HttpMethod.Delete, PodPath(name) + "?gracePeriodSeconds=0")
            {
                Content = new StringContent(options, Encoding.UTF8, "application/json"),
            },
            async (response, ct) =>
            {
                if (response.IsSuccessStatusCode) return KubeResult<bool>.Ok(true);
                var error = await ReadErrorAsync(response, ct).ConfigureAwait(false);
                return error.IsNotFound ? KubeResult<bool>.Ok(false) : error;
            },
            cancellationToken);
    }

    /// <summary>
    /// One watch request (<c>?watch=1&amp;labelSelector=…&amp;timeoutSeconds=…[&amp;resourceVersion=…]</c>): its events until
    /// the server closes the stream at the timeout. A failed request or a broken stream ends with one <c>ERROR</c> event
    /// whose error has code 0 (no answer) or the HTTP status; the API's own ERROR events (410 Gone) pass through.
    /// </summary>
    public async IAsyncEnumerable<PodWatchEvent> WatchPodsAsync(string labelSelector, string? resourceVersion,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(_options.WatchTimeout.TotalSeconds));
        var path = PodsPath + "?watch=1&labelSelector=" + Uri.EscapeDataString(labelSelector)
            + "&timeoutSeconds=" + seconds.ToString(CultureInfo.InvariantCulture)
            + "&allowWatchBookmarks=true"
            + (resourceVersion is { Length: > 0 } rv ? "&resourceVersion=" + Uri.EscapeDataString(rv) : "");
        // The server ends the stream after timeoutSeconds; this guard only stops a server that never does.
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(_options.WatchTimeout + _options.RequestTimeout);

        var (response, failure) = await OpenAsync(() => new HttpRequestMessage(HttpMethod.Get, path), guard.Token, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            yield return PodWatchEvent.Failure(failure);
            yield break;
        }
        using (response)
        {
            var stream = await response!.Content.ReadAsStreamAsync(guard.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            while (true)
            {
                var (line, broken) = await ReadWatchLineAsync(reader, guard, cancellationToken).ConfigureAwait(false);
                if (broken is not null)
                {
                    yield return PodWatchEvent.Failure(broken);
                    yield break;
                }
                if (line is null) yield break;
                if (line.Length == 0) continue;
                yield return ParseWatchEvent(line);
            }
        }
    }

    /// <summary>
    /// <c>GET …/pods/{name}/log?follow=true&amp;container=…</c> from the first line (no <c>tailLines</c>: a late attacher
    /// gets the whole log). 400 means the container has not started yet.
    /// </summary>
    public async Task<KubeResult<PodLog>> OpenPodLogAsync(string name, string container, CancellationToken cancellationToken)
    {
        var path = PodPath(name) + "/log?follow=true&container=" + Uri.EscapeDataString(container);
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        headers.CancelAfter(_options.RequestTimeout);
        var (response, failure) = await OpenAsync(() => new HttpRequestMessage(HttpMethod.Get, path), headers.Token, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;
        return KubeResult<PodLog>.Ok(new PodLog(response!));
    }

    /// <summary>Sends with the bearer token; on 401 re-reads a refreshable token once and retries.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var refresh = false;
        while (true)
        {
            var request = create();
            if (_connection.Token is { } source)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await source.GetTokenAsync(refresh, cancellationToken).ConfigureAwait(false));
            }
            var response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Unauthorized || refresh || _connection.Token is not { CanRefresh: true })
            {
                return response;
            }
            response.Dispose();
            LogTokenRejected(_connection.Source);
            refresh = true;
        }
    }

    /// <summary>A request with a body read in full, within <c>Kubernetes:RequestTimeout</c>.</summary>
    private async Task<KubeResult<T>> CallAsync<T>(Func<HttpRequestMessage> create,
        Func<HttpResponseMessage, CancellationToken, Task<KubeResult<T>>> handle, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await SendAsync(create, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            return await handle(response, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Describe(ex, cancellationToken) is { } error)
        {
            return error;
        }
    }

    /// <summary>Sends and waits for the headers only; a non-success answer becomes its error.</summary>
    private async Task<(HttpResponseMessage? Response, KubeError? Error)> OpenAsync(Func<HttpRequestMessage> create,
        CancellationToken limit, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await SendAsync(create, HttpCompletionOption.ResponseHeadersRead, limit).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return (response, null);
            var error = await ReadErrorAsync(response, limit).ConfigureAwait(false);
            response.Dispose();
            return (null, error);
        }
        catch (Exception ex) when (Describe(ex, cancellationToken) is { } error)
        {
            response?.Dispose();
            return (null, error);
        }
    }

    private static async Task<(string? Line, KubeError? Error)> ReadWatchLineAsync(StreamReader reader, CancellationTokenSource guard, CancellationToken cancellationToken)
    {
        try
        {
            return (await reader.ReadLineAsync(guard.Token).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, null);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return (null, new KubeError(0, KubeError.Unreachable, $"The watch stream broke: {ex.Message}"));
        }
    }

    private static PodWatchEvent ParseWatchEvent(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
            if (!root.TryGetProperty("object", out var obj)) return PodWatchEvent.Failure(new KubeError(0, null, "Watch event without object: " + Shorten(line)));
            if (type == PodWatchEvent.ErrorType)
            {
                var status = obj.Deserialize<KubeStatus>(KubeJson.Options);
                return PodWatchEvent.Failure(new KubeError(status?.Code ?? 0, status?.Reason, status?.Message ?? "Watch error"));
            }
            return new PodWatchEvent(type, obj.Deserialize<Pod>(KubeJson.Options), null);
        }
        catch (JsonException ex)
        {
            return PodWatchEvent.Failure(new KubeError(0, null, $"Malformed watch event ({ex.Message}): {Shorten(line)}"));
        }
    }

    private static async Task<KubeResult<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode) return await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var value = JsonSerializer.Deserialize<T>(text, KubeJson.Options);
            return value is null ? new KubeError((int)response.StatusCode, null, "Empty answer from the Kubernetes API.") : KubeResult<T>.Ok(value);
        }
        catch (JsonException ex)
        {
            return new KubeError((int)response.StatusCode, null, $"Unexpected answer from the Kubernetes API ({ex.Message}): {Shorten(text)}");
        }
    }

    /// <summary>The API's <c>Status</c> body when there is one, else the status line and a piece of the body.</summary>
    private static async Task<KubeError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var code = (int)response.StatusCode;
        var text = "";
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (JsonSerializer.Deserialize<KubeStatus>(text, KubeJson.Options) is { Kind: "Status", Message: { Length: > 0 } message } status)
            {
                return new KubeError(code, status.Reason, message);
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException)
        {
            // Not a Status object (a proxy's page, say): described below.
        }
        var reason = response.ReasonPhrase ?? response.StatusCode.ToString();
        return new KubeError(code, reason, text.Length > 0 ? $"{code} {reason}: {Shorten(text)}" : $"{code} {reason}");
    }

    /// <summary>Turns a failed exchange into an error value; null for the caller's own cancellation (which propagates).</summary>
    private KubeError? Describe(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException => new KubeError(0, KubeError.Timeout, $"The Kubernetes API at {Server} did not answer in time."),
        HttpRequestException ex => new KubeError(0, KubeError.Unreachable, $"The Kubernetes API at {Server} is unreachable: {ex.Message}"),
        IOException ex => new KubeError(0, KubeError.Unreachable, $"Talking to the Kubernetes API at {Server} failed: {ex.Message}"),
        UnauthorizedAccessException ex => new KubeError(0, KubeError.Unreachable, $"The Kubernetes credentials cannot be read: {ex.Message}"),
        _ => null,
    };

    private static string Shorten(string text) => text.Length <= 300 ? text.Trim() : text[..300].Trim() + "…";

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "The Kubernetes API refused the token from {Source}; re-reading it and retrying once")]
    private partial void LogTokenRejected(string source);
}
