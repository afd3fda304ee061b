using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Registry;

/// <summary>
/// Docker Registry HTTP API v2 lookups: <c>GET /v2/&lt;name&gt;/manifests/&lt;tag&gt;</c> accepting Docker and OCI manifests
/// and indexes, authenticated with a configured token URL, basic auth, or the registry's Bearer challenge.
/// Transient faults are retried; every outcome is a <see cref="ManifestCheck"/> value.
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

    private readonly IHttpClientFactory _httpClients;
    private readonly RegistryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RegistryClient(IHttpClientFactory httpClients, RegistryEndpoint endpoint, IOptions<RegistryOptions> options,
        TimeProvider time, ILogger<RegistryClient> logger)
    {
        _httpClients = httpClients;
        Endpoint = endpoint;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public RegistryEndpoint Endpoint { get; }

    /// <summary>Looks the manifest up, retrying transient faults up to <c>Registry:Attempts</c> times with doubling delays.</summary>
    public async Task<ManifestCheck> CheckManifestAsync(RegistryImageName image, CancellationToken cancellationToken)
    {
        var attempts = Math.Max(1, _options.Attempts);
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var result = await CheckOnceAsync(image, cancellationToken).ConfigureAwait(false);
            if (!result.Transient) return result;
            if (attempt >= attempts)
            {
                return result with { Error = $"{result.Error} (gave up after {attempts} attempts)" };
            }
            LogRetrying(image.Repository, image.Tag, attempt, attempts, delay, result.Error);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private async Task<ManifestCheck> CheckOnceAsync(RegistryImageName image, CancellationToken cancellationToken)
    {
        var client = _httpClients.CreateClient(HttpClientName);
        var scope = $"repository:{image.Repository}:pull";
        // String concatenation, not new Uri(base, relative): a registry URL with a path keeps it, as BinderHub's f-string does.
        var manifestUri = new Uri($"{Endpoint.Display}/v2/{image.Repository}/manifests/{Uri.EscapeDataString(image.Tag)}");

        string? bearer = null;
        if (Endpoint.TokenUrl is { } tokenUrl)
        {
            // BinderHub adds service=container_registry; a token URL that names its service keeps it.
            var token = await FetchTokenAsync(client, WithQuery(tokenUrl, ("scope", scope), ("service", "container_registry")), cancellationToken).ConfigureAwait(false);
            if (token.Failure is { } failure) return failure;
            bearer = token.Token;
        }

        var first = await SendManifestRequestAsync(client, manifestUri, bearer, image, cancellationToken).ConfigureAwait(false);
        if (first.Failure is { } sendFailure) return sendFailure;
        using (var response = first.Response!)
        {
            if (response.StatusCode != HttpStatusCode.Unauthorized || bearer is not null)
            {
                return Interpret(response.StatusCode, image, usedToken: bearer is not null);
            }
            if (BearerChallenge.From(response.Headers.WwwAuthenticate) is not { } challenge)
            {
                return Interpret(response.StatusCode, image, usedToken: false);
            }
            var challengeUrl = WithQuery(challenge.Realm, ("service", challenge.Service), ("scope", challenge.Scope));
            var token = await FetchTokenAsync(client, challengeUrl, cancellationToken).ConfigureAwait(false);
            if (token.Failure is { } failure) return failure;
            bearer = token.Token;
        }

        var second = await SendManifestRequestAsync(client, manifestUri, bearer, image, cancellationToken).ConfigureAwait(false);
        if (second.Failure is { } retryFailure) return retryFailure;
        using (var response = second.Response!)
        {
            return Interpret(response.StatusCode, image, usedToken: true);
        }
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

    private async Task<(HttpResponseMessage? Response, ManifestCheck? Failure)> SendManifestRequestAsync(
        HttpClient client, Uri uri, string? bearer, RegistryImageName image, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var type in ManifestMediaTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        else if (Endpoint.HasBasicCredentials) request.Headers.Authorization = BasicAuthorization();
        var (response, failure) = await SendAsync(client, request, $"Registry {Endpoint.Display}", cancellationToken).ConfigureAwait(false);
        return failure is null ? (response, null) : (null, failure with { Error = $"{failure.Error} (manifest lookup of {image.Repository}:{image.Tag})" });
    }

    private async Task<(string? Token, ManifestCheck? Failure)> FetchTokenAsync(HttpClient client, Uri tokenUrl, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUrl);
        if (Endpoint.HasBasicCredentials) request.Headers.Authorization = BasicAuthorization();
        var who = $"Token server {tokenUrl.GetLeftPart(UriPartial.Path)} of registry {Endpoint.Display}";
        var (response, failure) = await SendAsync(client, request, who, cancellationToken).ConfigureAwait(false);
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
                return (null, ManifestCheck.Failed($"{who} timed out after {_options.Timeout}.", transient: true));
            }
        }
    }

    /// <summary>Sends with the per-request timeout; network errors and timeouts become transient failures.</summary>
    private async Task<(HttpResponseMessage? Response, ManifestCheck? Failure)> SendAsync(
        HttpClient client, HttpRequestMessage request, string who, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            return (response, null);
        }
        catch (HttpRequestException ex)
        {
            return (null, ManifestCheck.Failed($"{who} is unreachable: {ex.Message}", transient: true));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, ManifestCheck.Failed($"{who} did not answer within {_options.Timeout}.", transient: true));
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
    private partial void LogRetrying(string repository, string tag, int attempt, int attempts, TimeSpan delay, string? error);
}
