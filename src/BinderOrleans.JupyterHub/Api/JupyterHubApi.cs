using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace BinderOrleans.JupyterHub.Api;

/// <summary>
/// The calls BinderOrleans makes to the JupyterHub REST API (3.x–5.x), authenticated as the configured service.
/// Calls retry as <see cref="HubRetry"/> says through a Polly retry pipeline (the one under
/// Microsoft.Extensions.Http.Resilience), waiting <c>JupyterHub:RetryDelay</c> doubling, at most
/// <c>JupyterHub:Retries</c> attempts; a 409 on a retry counts as success. Outcomes are values.
/// </summary>
internal sealed partial class JupyterHubApi : IDisposable
{
    /// <summary>Longest wait for one API answer (the progress stream is bounded by the caller instead).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>BinderHub's health-check timeout.</summary>
    public static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(3);

    private const string PaginationMediaType = "application/jupyterhub-pagination+json";

    /// <summary>Told before each retry, with BinderHub's "trying again in …" line for the user.</summary>
    private static readonly ResiliencePropertyKey<Action<string>?> RetryingKey = new("BinderOrleans.JupyterHub.Retrying");

    /// <summary>Method and path of the call being retried, for the log.</summary>
    private static readonly ResiliencePropertyKey<(string Method, string Path)> CallKey = new("BinderOrleans.JupyterHub.Call");

    private readonly HttpClient _http;
    private readonly JupyterHubOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<JupyterHubApi> _logger;
    private readonly ResiliencePipeline<HubResponse> _onServerError;
    private readonly ResiliencePipeline<HubResponse> _whenUnreachable;
    private readonly ResiliencePipeline<HubProgressStream> _progress;

    public JupyterHubApi(IOptions<JupyterHubOptions> options, TimeProvider time, ILogger<JupyterHubApi> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        ApiUri = _options.ApiUri;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = ApiUri,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _onServerError = Retries<HubResponse>(HubRetry.OnServerError, r => r);
        _whenUnreachable = Retries<HubResponse>(HubRetry.WhenUnreachable, r => r);
        _progress = Retries<HubProgressStream>(HubRetry.OnServerError, s => s.Status);
    }

    public Uri ApiUri { get; }

    public Task<HubResponse> CreateUserAsync(string user, Action<string>? retrying, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, HubPaths.User(user), null, HubRetry.OnServerError, retrying, cancellationToken);

    public Task<HubResponse> GetUserAsync(string user, Action<string>? retrying, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, HubPaths.User(user), null, HubRetry.OnServerError, retrying, cancellationToken);

    /// <summary>
    /// Starts a server with <paramref name="userOptions"/> as the body. Only unanswered calls are repeated: a 500 from the
    /// hub means the spawn itself failed, and the progress stream says why.
    /// </summary>
    public Task<HubResponse> StartServerAsync(string user, string server, JsonObject userOptions, Action<string>? retrying,
        CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, HubPaths.Server(user, server), userOptions.ToJsonString(), HubRetry.WhenUnreachable, retrying, cancellationToken);

    /// <summary>Stops a server; <paramref name="remove"/> also deletes a named server. 202 = stopping, 204 = done.</summary>
    public Task<HubResponse> DeleteServerAsync(string user, string server, bool remove, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, HubPaths.Server(user, server), remove ? """{"remove": true}""" : null, HubRetry.OnServerError, null, cancellationToken);

    public Task<HubResponse> DeleteUserAsync(string user, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, HubPaths.User(user), null, HubRetry.OnServerError, null, cancellationToken);

    /// <summary>One page of users with an active (running or starting) server, in JupyterHub's pagination envelope.</summary>
    public Task<HubResponse> ListActiveUsersAsync(int offset, int limit, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"users?state=active&offset={offset}&limit={limit}", null, HubRetry.Never, null, cancellationToken, PaginationMediaType);

    /// <summary><c>GET {ApiUrl}health</c>, one attempt, <see cref="HealthTimeout"/>.</summary>
    public async Task<HubResponse> HealthAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health");
        return await SendOnceAsync(request, HealthTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the spawn-progress stream; the caller bounds how long it is read.</summary>
    public Task<HubProgressStream> OpenProgressAsync(string user, string server, Action<string>? retrying, CancellationToken cancellationToken)
    {
        var path = HubPaths.Progress(user, server);
        return ExecuteAsync(_progress, "GET", path, retrying, async (_, ct) =>
        {
            using var request = NewRequest(HttpMethod.Get, path, null, "text/event-stream");
            try
            {
                using var timeout = new CancellationTokenSource(RequestTimeout, _time);
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return new HubProgressStream(new HubResponse((int)response.StatusCode, ""), response);
                using (response)
                {
                    return new HubProgressStream(new HubResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)));
                }
            }
            catch (HttpRequestException ex)
            {
                return new HubProgressStream(HubResponse.Unreachable(ex.Message));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new HubProgressStream(HubResponse.Unreachable($"no answer within {RequestTimeout.TotalSeconds:0} s"));
            }
        }, cancellationToken);
    }

    private Task<HubResponse> SendAsync(HttpMethod method, string path, string? json, HubRetry retry, Action<string>? retrying,
        CancellationToken cancellationToken, string accept = "application/json")
    {
        var pipeline = retry switch
        {
            HubRetry.OnServerError => _onServerError,
            HubRetry.WhenUnreachable => _whenUnreachable,
            _ => ResiliencePipeline<HubResponse>.Empty,
        };
        return ExecuteAsync(pipeline, method.Method, path, retrying, async (attempt, ct) =>
        {
            using var request = NewRequest(method, path, json, accept);
            var response = await SendOnceAsync(request, RequestTimeout, ct).ConfigureAwait(false);
            return attempt > 1 && response.Status == (int)HttpStatusCode.Conflict ? response with { ConflictOnRetry = true } : response;
        }, cancellationToken);
    }

    /// <summary>Runs <paramref name="call"/> (given its attempt number, from 1) through <paramref name="pipeline"/>.</summary>
    private static async Task<T> ExecuteAsync<T>(ResiliencePipeline<T> pipeline, string method, string path, Action<string>? retrying,
        Func<int, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetryingKey, retrying);
        context.Properties.Set(CallKey, (method, path));
        try
        {
            var attempt = 0;
            return await pipeline.ExecuteAsync(
                async ctx => await call(++attempt, ctx.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// At most <c>JupyterHub:Retries</c> attempts while <paramref name="retry"/> says the answer is worth repeating,
    /// waiting <c>JupyterHub:RetryDelay</c> and doubling; <paramref name="status"/> reads the hub's answer from a result.
    /// </summary>
    private ResiliencePipeline<T> Retries<T>(HubRetry retry, Func<T, HubResponse> status)
    {
        if (_options.Retries <= 1) return ResiliencePipeline<T>.Empty;
        return new ResiliencePipelineBuilder<T> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = _options.Retries - 1,
                Delay = _options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } result && ShouldRetry(retry, status(result))),
                OnRetry = args =>
                {
                    AnnounceRetry(args.Context, status(args.Outcome.Result!), args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    private void AnnounceRetry(ResilienceContext context, HubResponse response, TimeSpan delay)
    {
        var (method, path) = context.Properties.GetValue(CallKey, ("?", "?"));
        var reason = response.Reached ? $"answered {response.Status}: {response.HubMessage}" : $"could not be reached ({response.Error})";
        LogRetrying(method, path, response.Status, response.Reached ? response.HubMessage : response.Error, delay);
        var wait = delay >= TimeSpan.FromSeconds(1) ? $"{delay.TotalSeconds:0.#} s" : $"{delay.TotalMilliseconds:0} ms";
        context.Properties.GetValue(RetryingKey, null)?.Invoke($"JupyterHub {reason}; trying again in {wait}...");
    }

    private static bool ShouldRetry(HubRetry retry, HubResponse response) => retry switch
    {
        HubRetry.WhenUnreachable => response.Status is 0 or 502 or 503 or 504,
        HubRetry.OnServerError => response.Status is 0 or >= 500,
        _ => false,
    };

    private HttpRequestMessage NewRequest(HttpMethod method, string path, string? json, string accept)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("token", _options.ApiToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return request;
    }

    private async Task<HubResponse> SendOnceAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = new CancellationTokenSource(timeout, _time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            using var response = await _http.SendAsync(request, cts.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            return new HubResponse((int)response.StatusCode, body);
        }
        catch (HttpRequestException ex)
        {
            return HubResponse.Unreachable(ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HubResponse.Unreachable($"no answer within {timeout.TotalSeconds:0} s");
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "JupyterHub {Method} {Path} failed ({Status}: {Reason}); retrying in {Delay}")]
    private partial void LogRetrying(string method, string path, int status, string? reason, TimeSpan delay);
}
