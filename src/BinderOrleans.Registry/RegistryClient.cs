using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace BinderOrleans.Registry;

/// <summary>
/// Docker Registry HTTP API v2 lookups: <c>GET /v2/&lt;name&gt;/manifests/&lt;tag&gt;</c> accepting Docker and OCI manifests
/// and indexes, authenticated with a configured token URL, basic auth, or the registry's Bearer challenge.
/// Each request is retried on transient faults by the HTTP client's resilience handler (<see cref="AddRetries"/>);
/// every outcome is a <see cref="ManifestCheck"/> value.
/// </summary>
internal sealed partial class RegistryClient
{
    /// <summary>Name of the <see cref="IHttpClientFactory"/> client.</summary>
    public const string HttpClientName = "BinderOrleans.Registry";

    /// <summary>Sent in <c>Accept</c>: without the OCI types a registry hides OCI images (registry 2.8 answers 404).</summary>
    internal static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ];

    /// <summary>The image a request is for, so a retry's log line can name it.</summary>
    private static readonly HttpRequestOptionsKey<RegistryImageName> ImageKey = new("BinderOrleans.Registry.Image");

    private readonly IHttpClientFactory _httpClients;
    private readonly RegistryOptions _options;
    private readonly TimeProvider _time;

    public RegistryClient(IHttpClientFactory httpClients, RegistryEndpoint endpoint, IOptions<RegistryOptions> options, TimeProvider time)
    {
        _httpClients = httpClients;
        Endpoint = endpoint;
        _options = options.Value;
        _time = time;
    }

    public RegistryEndpoint Endpoint { get; }

    /// <summary>
    /// The resilience pipeline of the registry's HTTP client: each request (manifest or token) is tried up to
    /// <c>Registry:Attempts</c> times while the registry is unreachable, times out (<c>Registry:Timeout</c> per try) or
    /// answers 5xx, 408 or 429, waiting <c>Registry:RetryDelay</c> and doubling.
    /// </summary>
    internal static void AddRetries(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, RegistryOptions options, ILogger logger)
    {
        var attempts = Math.Max(1, options.Attempts);
        if (attempts > 1)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = attempts - 1,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldRetryAfterHeader = false,
                OnRetry = args =>
                {
                    var image = args.Context.GetRequestMessage()?.Options.TryGetValue(ImageKey, out var name) == true ? name : null;
                    var error = args.Outcome.Exception?.Message ?? (args.Outcome.Result is { } response ? Describe(response.StatusCode) : null);
                    LogRetrying(logger, image?.Repository, image?.Tag, args.AttemptNumber + 1, attempts, args.RetryDelay, error);
                    return default;
                },
            });
        }
        pipeline.AddTimeout(options.Timeout);
    }

    /// <summary>Looks the manifest up; a transient failure has been retried <c>Registry:Attempts</c> times already.</summary>
    public async Task<ManifestCheck> CheckManifestAsync(RegistryImageName image, CancellationToken cancellationToken)
    {
        var result = await CheckOnceAsync(image, cancellationToken).ConfigureAwait(false);
        var attempts = Math.Max(1, _options.Attempts);
        return result.Transient && attempts > 1 ? result with { Error = $"{result.Error} (gave up after {attempts} attempts)" } : result;
    }

    private async Task<ManifestCheck> CheckOnceAsync(RegistryImageName image, CancellationToken cancellationToken)
    {
        // String concatenation, not new Uri(base, relative): a registry URL with a path keeps it, as BinderHub's f-string does.
        var manifestUri = new Uri($"{Endpoint.Display}/v2/{image.Repository}/manifests/{Uri.EscapeDataString(image.Tag)}");
        var (response, usedToken, failure) = await SendAuthorizedAsync(HttpMethod.Get, manifestUri, $"repository:{image.Repository}:pull", image,
            "manifest lookup", cancellationToken).ConfigureAwait(false);
        if (failure is not null) return failure;
        using (response)
        {
            return Interpret(response!.StatusCode, image, usedToken);
        }
    }

    /// <summary>
    /// Sends one request (accepting every manifest type) with the registry's credentials: a token from
    /// <c>Registry:TokenUrl</c> for <paramref name="scope"/>, basic auth, or a token from the registry's Bearer challenge
    /// after a 401. The caller disposes the response; a network failure or timeout is a value.
    /// </summary>
    /// <param name="what">Names the request in error messages, e.g. <c>manifest lookup</c>.</param>
    internal async Task<(HttpResponseMessage? Response, bool UsedToken, ManifestCheck? Failure)> SendAuthorizedAsync(HttpMethod method, Uri uri,
        string scope, RegistryImageName? image, string what, CancellationToken cancellationToken)
    {
        var client = _httpClients.CreateClient(HttpClientName);
        string? bearer = null;
        if (Endpoint.TokenUrl is { } tokenUrl)
        {
            // BinderHub adds service=container_registry; a token URL that names its service keeps it.
            var token = await FetchTokenAsync(client, WithQuery(tokenUrl, ("scope", scope), ("service", "container_registry")), image, cancellationToken).ConfigureAwait(false);
            if (token.Failure is { } failure) return (null, false, failure);
            bearer = token.Token;
        }

        var first = await SendRegistryRequestAsync(client, method, uri, bearer, image, what, cancellationToken).ConfigureAwait(false);
        if (first.Failure is { } sendFailure) return (null, false, sendFailure);
        var response = first.Response!;
        if (response.StatusCode != HttpStatusCode.Unauthorized || bearer is not null) return (response, bearer is not null, null);
        if (BearerChallenge.From(response.Headers.WwwAuthenticate) is not { } challenge) return (response, false, null);
        response.Dispose();
        var challengeUrl = WithQuery(challenge.Realm, ("service", challenge.Service), ("scope", challenge.Scope));
        var challenged = await FetchTokenAsync(client, challengeUrl, image, cancellationToken).ConfigureAwait(false);
        if (challenged.Failure is { } tokenFailure) return (null, false, tokenFailure);

        var second = await SendRegistryRequestAsync(client, method, uri, challenged.Token, image, what, cancellationToken).ConfigureAwait(false);
        return second.Failure is { } retryFailure ? (null, false, retryFailure) : (second.Response, true, null);
    }

    private ManifestCheck Interpret(HttpStatusCode status, RegistryImageName image, bool usedToken)
    {
        var code = (int)status;
        if (code is >= 200 and < 300) return ManifestCheck.Found;
        if (status == HttpStatusCode.NotFound) return ManifestCheck.NotFound;
        if (status == HttpStatusCode.Unauthorized && usedToken && Endpoint.NotFoundOn401) return ManifestCheck.NotFound;
        return ManifestCheck.Failed(
            $"Registry {Endpoint.Display} answered {Describe(status)} to the manifest lookup of {image.Repository}:{image.Tag}.",
            code, IsTransient(status));
    }

    private async Task<(HttpResponseMessage? Response, ManifestCheck? Failure)> SendRegistryRequestAsync(
        HttpClient client, HttpMethod method, Uri uri, string? bearer, RegistryImageName? image, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (image is not null) request.Options.Set(ImageKey, image);
        foreach (var type in ManifestMediaTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        else if (Endpoint.HasBasicCredentials) request.Headers.Authorization = BasicAuthorization();
        var (response, failure) = await SendAsync(client, request, $"Registry {Endpoint.Display}", _options.Timeout, cancellationToken).ConfigureAwait(false);
        var subject = image is null ? "" : $" of {image.Repository}:{image.Tag}";
        return failure is null ? (response, null) : (null, failure with { Error = $"{failure.Error} ({what}{subject})" });
    }

    private async Task<(string? Token, ManifestCheck? Failure)> FetchTokenAsync(HttpClient client, Uri tokenUrl, RegistryImageName? image,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUrl);
        if (image is not null) request.Options.Set(ImageKey, image);
        if (Endpoint.HasBasicCredentials) request.Headers.Authorization = BasicAuthorization();
        var who = $"Token server {tokenUrl.GetLeftPart(UriPartial.Path)} of registry {Endpoint.Display}";
        var (response, failure) = await SendAsync(client, request, who, _options.Timeout, cancellationToken).ConfigureAwait(false);
        if (failure is not null) return (null, failure);
        using (response)
        {
            if (!response!.IsSuccessStatusCode)
            {
                return (null, ManifestCheck.Failed($"{who} answered {Describe(response.StatusCode)}.", (int)response.StatusCode, IsTransient(response.StatusCode)));
            }
            try
            {
                using var timeout = new CancellationTokenSource(_options.Timeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                await using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: linked.Token).ConfigureAwait(false);
                foreach (var name in (ReadOnlySpan<string>)["token", "access_token"])
                {
                    if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var value)
                        && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } token)
                    {
                        return (token, null);
                    }
                }
                return (null, ManifestCheck.Failed($"{who} answered without a token.", (int)response.StatusCode));
            }
            catch (JsonException)
            {
                return (null, ManifestCheck.Failed($"{who} answered with something that is not JSON.", (int)response.StatusCode));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Past the resilience handler (it retries sending, not reading): reported as is, not as retried.
                return (null, ManifestCheck.Failed($"{who} timed out after {_options.Timeout}."));
            }
        }
    }

    /// <summary>Sends through the resilience handler; network errors and timeouts that outlast its retries become transient failures.</summary>
    private static async Task<(HttpResponseMessage? Response, ManifestCheck? Failure)> SendAsync(
        HttpClient client, HttpRequestMessage request, string who, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return (response, null);
        }
        catch (HttpRequestException ex)
        {
            return (null, ManifestCheck.Failed($"{who} is unreachable: {ex.Message}", transient: true));
        }
        catch (TimeoutRejectedException)
        {
            return (null, ManifestCheck.Failed($"{who} did not answer within {timeout}.", transient: true));
        }
    }

    private AuthenticationHeaderValue BasicAuthorization() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Endpoint.Username}:{Endpoint.Password}")));

    private static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    internal static string Describe(HttpStatusCode status) => $"HTTP {(int)status} {status}";

    /// <summary>Appends query parameters the URL does not already carry.</summary>
    internal static Uri WithQuery(Uri url, params (string Name, string Value)[] parameters)
    {
        var existing = url.Query.TrimStart('?');
        var present = existing.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Uri.UnescapeDataString(p.Split('=', 2)[0]))
            .ToHashSet(StringComparer.Ordinal);
        var sb = new StringBuilder(existing);
        foreach (var (name, value) in parameters)
        {
            if (present.Contains(name)) continue;
            if (sb.Length > 0) sb.Append('&');
            sb.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return new UriBuilder(url) { Query = sb.ToString() }.Uri;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lookup of {Repository}:{Tag} failed (attempt {Attempt} of {Attempts}), retrying in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, string? repository, string? tag, int attempt, int attempts, TimeSpan delay, string? error);
}
