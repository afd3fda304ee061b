using System.Text.Json;
using BinderOrleans.Core.Outbound;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Data;

/// <summary>
/// The HTTP side of the data-repository providers (no .NET client exists for these APIs): DOI resolution through
/// <c>Providers:DoiBaseUrl</c> with redirects followed one hop at a time, JSON calls, and downloads counted against
/// <c>Providers:Data</c>'s limits. Every outcome is a value; every call is bounded by <c>Providers:DataRequestTimeout</c>.
/// </summary>
internal sealed partial class DataClient
{
    /// <summary>The named client, without automatic redirects (this class follows them, so it sees every hop).</summary>
    public const string HttpClientName = "BinderOrleans.Data";

    private const int MaxRedirects = 10;

    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DataRepositoryOptions _options;
    private readonly string _doiBase;

    public DataClient(IHttpClientFactory http, TimeProvider time, IOptions<DataRepositoryOptions> options, ILogger<DataClient> logger)
    {
        _http = http;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _doiBase = _options.DoiBaseUrl.TrimEnd('/');
    }

    public DataLimits Limits => _options.Data;

    public TimeSpan DownloadTimeout => _options.DownloadTimeout;

    /// <summary>
    /// Where a DOI leads: <c>GET {Providers:DoiBaseUrl}/{doi}</c> and every redirect after it, to the first answer that is
    /// not a redirect (BinderHub's <c>effective_url</c>). A DOI the resolver does not know is <see cref="ContentFailure.NotFoundStatus"/>.
    /// </summary>
    public async Task<(Uri? Url, ContentFailure? Failure)> ResolveDoiAsync(string doi, CancellationToken cancellationToken)
    {
        var escaped = string.Join('/', doi.Split('/').Select(Uri.EscapeDataString));
        var url = new Uri($"{_doiBase}/{escaped}");
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            var (response, failure) = await SendAsync(url, "DOI resolver", accept: null, cancellationToken).ConfigureAwait(false);
            if (response is null) return (null, failure);
            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (next.Scheme is not ("http" or "https"))
                    {
                        return (null, new ContentFailure($"DOI {doi} leads to {next}, which is not an http(s) URL.", ContentFailure.UpstreamStatus));
                    }
                    url = next;
                    continue;
                }
                if (status == 404 && hop == 0) return (null, new ContentFailure($"DOI {doi} is not registered.", ContentFailure.NotFoundStatus));
                if (status == 404) return (null, new ContentFailure($"DOI {doi} leads to {url}, which does not exist.", ContentFailure.NotFoundStatus));
                if (!response.IsSuccessStatusCode)
                {
                    LogHttpError(url.ToString(), status);
                    return (null, new ContentFailure($"DOI {doi} leads to {url}, which answered {status} {response.ReasonPhrase}.", ContentFailure.UpstreamStatus));
                }
                return (url, null);
            }
        }
        return (null, new ContentFailure($"DOI {doi} redirects more than {MaxRedirects} times.", ContentFailure.UpstreamStatus));
    }

    /// <summary>A JSON document from <paramref name="url"/> (redirects followed); <paramref name="what"/> names it in messages.</summary>
    public async Task<(JsonDocument? Json, ContentFailure? Failure)> GetJsonAsync(Uri url, string what, CancellationToken cancellationToken)
    {
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            var (response, failure) = await SendAsync(url, what, "application/json", cancellationToken).ConfigureAwait(false);
            if (response is null) return (null, failure);
            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    url = location.IsAbsoluteUri ? location : new Uri(url, location);
                    if (url.Scheme is not ("http" or "https")) break;
                    continue;
                }
                if (status is 404 or 410) return (null, new ContentFailure($"{what} does not exist ({url} answered {status}).", ContentFailure.NotFoundStatus));
                if (!response.IsSuccessStatusCode)
                {
                    LogHttpError(url.ToString(), status);
                    return (null, new ContentFailure($"{what}: {url} answered {status} {response.ReasonPhrase}.", ContentFailure.UpstreamStatus));
                }
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    return (await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false), null);
                }
                catch (JsonException)
                {
                    return (null, new ContentFailure($"{what}: {url} did not answer with JSON.", ContentFailure.UpstreamStatus));
                }
            }
        }
        return (null, new ContentFailure($"{what}: too many redirects from {url}.", ContentFailure.UpstreamStatus));
    }

    /// <summary>
    /// Downloads <paramref name="url"/> (redirects followed) into <paramref name="path"/>, counting every byte against
    /// <paramref name="budget"/>: a declared length over it stops before the body is read, a body that grows past it
    /// stops mid-way (and the partial file is deleted).
    /// </summary>
    public async Task<ContentFailure?> DownloadAsync(Uri url, string path, string what, DownloadBudget budget, CancellationToken cancellationToken)
    {
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            if (url.Scheme is not ("http" or "https"))
            {
                return new ContentFailure($"{what}: {url} is not an http(s) URL.", ContentFailure.UnsafeStatus);
            }
            using var timer = new CancellationTokenSource(_options.DataRequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
            HttpResponseMessage response;
            try
            {
                using var request = NewRequest(url, accept: null);
                response = await _http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new ContentFailure($"{what}: {url} did not answer within {_options.DataRequestTimeout.TotalSeconds:0} seconds.", 504);
            }
            catch (HttpRequestException ex) when (OutboundRefusedException.Find(ex) is { } refused)
            {
                return Refused(what, refused);
            }
            catch (HttpRequestException ex)
            {
                LogUnreachable(ex, url.ToString());
                return new ContentFailure($"{what}: could not reach {url}: {ex.Message}", ContentFailure.UpstreamStatus);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    url = location.IsAbsoluteUri ? location : new Uri(url, location);
                    continue;
                }
                if (status is 404 or 410) return new ContentFailure($"{what} does not exist ({url} answered {status}).", ContentFailure.NotFoundStatus);
                if (!response.IsSuccessStatusCode)
                {
                    LogHttpError(url.ToString(), status);
                    return new ContentFailure($"{what}: {url} answered {status} {response.ReasonPhrase}.", ContentFailure.UpstreamStatus);
                }
                budget.StartFile();
                if (response.Content.Headers.ContentLength is { } declared && !budget.Fits(declared)) return budget.TooLarge(what);
                // The body may take long; only the caller's token (and Providers:DownloadTimeout, set by the caller) bound it.
                timer.CancelAfter(Timeout.InfiniteTimeSpan);
                var complete = false;
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                    await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                    {
                        var buffer = new byte[81920];
                        int read;
                        while ((read = await body.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
                        {
                            if (!budget.TryTake(read)) return budget.TooLarge(what);
                            await file.WriteAsync(buffer.AsMemory(0, read), linked.Token).ConfigureAwait(false);
                        }
                    }
                    complete = true;
                    return null;
                }
                catch (HttpRequestException ex)
                {
                    return new ContentFailure($"{what}: the download from {url} broke off: {ex.Message}", ContentFailure.UpstreamStatus);
                }
                catch (IOException ex) when (ex is not FileNotFoundException)
                {
                    return new ContentFailure($"{what}: the download from {url} broke off: {ex.Message}", ContentFailure.UpstreamStatus);
                }
                finally
                {
                    if (!complete) File.Delete(path);
                }
            }
        }
        return new ContentFailure($"{what}: too many redirects from {url}.", ContentFailure.UpstreamStatus);
    }

    private async Task<(HttpResponseMessage? Response, ContentFailure? Failure)> SendAsync(Uri url, string what, string? accept, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(_options.DataRequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        using var request = NewRequest(url, accept);
        try
        {
            var response = await _http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            return (response, null);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return (null, new ContentFailure($"the {what} at {url.GetLeftPart(UriPartial.Authority)} did not answer within {_options.DataRequestTimeout.TotalSeconds:0} seconds.", 504));
        }
        catch (HttpRequestException ex) when (OutboundRefusedException.Find(ex) is { } refused)
        {
            return (null, Refused(what, refused));
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(ex, url.ToString());
            return (null, new ContentFailure($"could not reach the {what} at {url.GetLeftPart(UriPartial.Authority)}: {ex.Message}", ContentFailure.UpstreamStatus));
        }
    }

    private static HttpRequestMessage NewRequest(Uri url, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        ProviderHttp.AddUserAgent(request);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        return request;
    }

    /// <summary>A target the outbound guard refused: 403, the guard's one message (the same whether anything listens there).</summary>
    private static ContentFailure Refused(string what, OutboundRefusedException refused) =>
        new($"{what}: {refused.Message}", OutboundRefusedException.StatusCode);

    /// <summary>
    /// Configures the named client: no automatic redirects (this class follows them), no client-wide timeout (calls are
    /// bounded one by one), and every connection through the outbound guard (record and file URLs are user targets).
    /// </summary>
    internal static void Configure(IHttpClientBuilder builder) => builder
        .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
        .UseOutboundGuard(allowAutoRedirect: false);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data repository call to {Url} answered {Status}")]
    private partial void LogHttpError(string url, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data repository at {Url} unreachable")]
    private partial void LogUnreachable(Exception exception, string url);
}
