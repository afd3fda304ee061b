using IRequest = Octokit.Internal.IRequest;
using System.Net;
using System.Runtime.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Octokit;
using Octokit.Caching;
using Octokit.Internal;

namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>
/// Octokit's connection to the configured GitHub API (<c>Providers:GitHub:ApiBaseUrl</c>), as the <c>gh</c> and
/// <c>gist</c> providers use it: BinderHub's user agent, the token (else the OAuth app id and secret), ETags through
/// an optional response cache, and one GET bounded by <c>Providers:GitHub:RequestTimeout</c> whose outcome is a value.
/// </summary>
internal sealed class GitHubApiClient
{
    public const string HttpClientName = "BinderOrleans.GitHub";

    private const string ApiName = "GitHub API";
    private static readonly ProductHeaderValue UserAgent = new("BinderHub");
    private static readonly SimpleJsonSerializer Json = new();

    private readonly Uri _baseAddress;
    private readonly InMemoryCredentialStore _credentials;
    private readonly IHttpMessageHandlerFactory _handlers;
    private readonly IResponseCache? _cache;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public GitHubApiClient(GitHubProviderOptions options, IHttpMessageHandlerFactory handlers, TimeProvider time, IResponseCache? cache = null)
    {
        _baseAddress = new Uri(options.EffectiveApiBaseUrl + "/");
        _credentials = new InMemoryCredentialStore(
            options.AccessToken.Length > 0 ? new Credentials(options.AccessToken)
            : options.ClientId.Length > 0 && options.ClientSecret.Length > 0 ? new Credentials(options.ClientId, options.ClientSecret)
            : Credentials.Anonymous);
        _handlers = handlers;
        _time = time;
        _cache = cache;
        _timeout = options.RequestTimeout;
    }

    public Uri BaseAddress => _baseAddress;

    /// <summary>
    /// <c>GET</c> <paramref name="endpoint"/> (relative to the API root) as <paramref name="accepts"/>;
    /// <paramref name="observe"/> sees the rate-limit headers of whatever GitHub answered, a 304 included.
    /// </summary>
    /// <param name="userToken">
    /// A logged-in user's own token, sent instead of the configured credentials; its answers never go through (or into)
    /// the shared response cache.
    /// </param>
    public async Task<GitHubAnswer<T>> GetAsync<T>(Uri endpoint, string accepts, Action<RateLimit>? observe, CancellationToken cancellationToken,
        string? userToken = null)
    {
        // A connection per call: the handler comes from the factory's pool (so it is rotated), and the last-response
        // state Octokit keeps on a connection is never shared between concurrent calls.
        using var http = new ObservingHttpClient(new HttpClientAdapter(() => _handlers.CreateHandler(HttpClientName)), observe);
        var credentials = userToken is null ? _credentials : new InMemoryCredentialStore(new Credentials(userToken));
        var connection = new Connection(UserAgent, _baseAddress, credentials, http, Json);
        if (_cache is not null && userToken is null) connection.ResponseCache = _cache;

        using var timer = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            var response = await connection.Get<T>(endpoint, null, accepts, linked.Token).ConfigureAwait(false);
            return response.Body is { } body
                ? new GitHubAnswer<T>.Found(body)
                : new GitHubAnswer<T>.Error($"the {ApiName} answer could not be read.", 502);
        }
        catch (ApiException ex) when (ex is NotFoundException || ex.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            return GitHubAnswer<T>.NotFound.Instance;
        }
        catch (ApiException ex) when (SpentRateLimitReset(ex) is { } reset)
        {
            return new GitHubAnswer<T>.Error(RateLimitMessage(reset), 429, ex);
        }
        catch (ApiException ex)
        {
            var status = (int)ex.StatusCode;
            return new GitHubAnswer<T>.Error($"the {ApiName} answered {status} {ReasonPhrases.GetReasonPhrase(status)}.", 502, ex);
        }
        catch (SerializationException ex)
        {
            return new GitHubAnswer<T>.Error($"the {ApiName} answer could not be read.", 502, ex);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new GitHubAnswer<T>.Error($"the {ApiName} did not answer within {_timeout.TotalSeconds:0} seconds.", 504);
        }
        catch (HttpRequestException ex)
        {
            return new GitHubAnswer<T>.Error($"could not reach the {ApiName}: {ex.Message}", 502, ex);
        }
    }

    /// <summary>BinderHub's message when the rate limit is spent: minutes to the reset, rounded up to the next 5.</summary>
    public static string RateLimitMessage(TimeSpan reset) =>
        $"GitHub rate limit exceeded. Try again in {5 * (1 + (long)reset.TotalSeconds / 60 / 5)} minutes.";

    /// <summary>
    /// Time until the limit resets when GitHub said it is spent (Octokit's <see cref="RateLimitExceededException"/>,
    /// a 403 with none remaining, or a 429), from <c>x-ratelimit-reset</c>, else <c>Retry-After</c>; else null.
    /// </summary>
    private TimeSpan? SpentRateLimitReset(ApiException ex)
    {
        var response = ex.HttpResponse;
        var limit = response?.ApiInfo?.RateLimit;
        var spent = ex is RateLimitExceededException
            || ex.StatusCode == HttpStatusCode.Forbidden && limit is { Limit: > 0, Remaining: 0 };
        if (!spent && ex.StatusCode != HttpStatusCode.TooManyRequests) return null;

        var seconds = limit is { ResetAsUtcEpochSeconds: > 0 } ? limit.ResetAsUtcEpochSeconds - _time.GetUtcNow().ToUnixTimeSeconds()
            : response?.Headers.FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value is { } after
                && long.TryParse(after, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var delay) ? delay
            : 0;
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    /// <summary>
    /// Sits under Octokit's cache so the rate-limit headers of a 304 are seen too: the cache hands back the stored
    /// answer, whose headers are as old as it is.
    /// </summary>
    private sealed class ObservingHttpClient(IHttpClient inner, Action<RateLimit>? observe) : IHttpClient
    {
        public async Task<IResponse> Send(IRequest request, CancellationToken cancellationToken, Func<object, object>? preprocessResponseBody = null)
        {
            var response = await inner.Send(request, cancellationToken, preprocessResponseBody!).ConfigureAwait(false);
            if (response.ApiInfo?.RateLimit is { Limit: > 0 } limit) observe?.Invoke(limit);
            return response;
        }

        public void SetRequestTimeout(TimeSpan timeout) => inner.SetRequestTimeout(timeout);

        public void Dispose() => inner.Dispose();
    }
}
