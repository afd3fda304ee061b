using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.GitLab;

/// <summary>
/// BinderHub's <c>GitLabRepoProvider</c> (<c>/build/gl/&lt;url-escaped namespace&gt;/&lt;ref&gt;</c>): refs resolved with
/// <c>GET /api/v4/projects/{namespace}/repository/commits/{ref}</c>, the commit id taken from <c>id</c>.
/// </summary>
internal sealed partial class GitLabRepoProvider : IRepoProvider
{
    public const string HttpClientName = "BinderOrleans.GitLab";

    private const string ApiName = "GitLab API";

    private readonly GitLabProviderOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _apiBase;

    public GitLabRepoProvider(IOptions<GitLabProviderOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<GitLabRepoProvider> logger)
    {
        _options = options.Value;
        _http = http;
        _time = time;
        _logger = logger;
        _apiBase = _options.EffectiveApiBaseUrl;
        DisplayConfig = new ProviderDisplayConfig
        {
            DisplayName = "GitLab.com",
            Id = "gl",
            Spec = new("[^/]+/.+"),
            Detect = new($"^(https?://{System.Text.RegularExpressions.Regex.Escape(_options.Hostname)}/)?(?<repo>.*[^/])/?"),
            Repo = new("GitLab.com repository or URL", $"https://{_options.Hostname}/binder-examples/conda", UrlEncode: true),
            Ref = new(Enabled: true, Default: "HEAD"),
        };
    }

    public string Id => "gl";

    public string Name => "GitLab";

    public ProviderDisplayConfig DisplayConfig { get; }

    public ResolveResult.Failed? CheckSpec(string spec) => GitLabSpec.TryParse(spec, out _, out var error) ? null : error;

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (!GitLabSpec.TryParse(spec, out var parsed, out var error)) return error!;

        var url = $"{_apiBase}/api/v4/projects/{Uri.EscapeDataString(parsed.Namespace)}/repository/commits/{Uri.EscapeDataString(parsed.Ref)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        ProviderHttp.AddUserAgent(request);
        // Headers rather than BinderHub's query parameters: GitLab accepts both, and headers stay out of access logs.
        if (_options.AccessToken.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AccessToken);
        if (_options.PrivateToken.Length > 0) request.Headers.TryAddWithoutValidation("PRIVATE-TOKEN", _options.PrivateToken);

        var answer = await ProviderHttp.SendAsync(_http.CreateClient(HttpClientName), request, ApiName, _options.RequestTimeout, _time, cancellationToken)
            .ConfigureAwait(false);
        if (answer is ApiAnswer.Unanswered unanswered)
        {
            if (unanswered.Exception is { } ex) LogApiUnreachable(ex, _apiBase);
            return ResolveResult.Error("gl", spec, $"{unanswered.Message}", unanswered.StatusCode);
        }

        using var response = ((ApiAnswer.Answered)answer).Response;
        var status = (int)response.StatusCode;
        if (status == 404) return NotFound(spec);
        if (!response.IsSuccessStatusCode)
        {
            LogApiError(url, status);
            return ResolveResult.Error("gl", spec, $"the GitLab API answered {status} {response.ReasonPhrase}.", 502);
        }

        using var json = await ProviderHttp.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        if (json is null || ProviderHttp.String(json.RootElement, "id") is not { } sha || !Git.LsRemoteOutput.IsObjectId(sha))
        {
            LogNoId(url);
            return ResolveResult.Error("gl", spec, $"the GitLab API answer has no commit id.", 502);
        }

        return new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl: $"https://{_options.Hostname}/{parsed.Namespace}.git",
            ResolvedRef: sha,
            RefUrl: $"https://{_options.Hostname}/{parsed.Namespace}/tree/{sha}",
            ResolvedSpec: $"{parsed.EscapedNamespace}/{sha}",
            BuildSlug: parsed.BuildSlug,
            UnresolvedRef: parsed.Ref,
            GitCredentials: _options.GitCredentials));
    }

    private static ResolveResult.Failed NotFound(string spec) =>
        ResolveResult.NotFound("gl", spec);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitLab API at {ApiBase} unreachable")]
    private partial void LogApiUnreachable(Exception exception, string apiBase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitLab API answered {Status} for {Url}")]
    private partial void LogApiError(string url, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitLab API answer for {Url} has no commit id")]
    private partial void LogNoId(string url);
}
