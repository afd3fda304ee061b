using System.Text.Json;
using BinderOrleans.Core.Providers.GitHub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Gist;

/// <summary>
/// BinderHub's <c>GistRepoProvider</c> (<c>/build/gist/&lt;user&gt;/&lt;gist-id&gt;[/&lt;ref&gt;]</c>): versions come from
/// <c>GET /gists/{id}</c> on the configured GitHub API; the ref must be one of the gist's history versions, or
/// empty/HEAD/master/main for the newest. Secret gists are refused unless <c>Providers:Gist:AllowSecretGist</c>.
/// </summary>
internal sealed partial class GistRepoProvider : IRepoProvider
{
    private readonly GistProviderOptions _options;
    private readonly GitHubProviderOptions _github;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _apiBase;

    public GistRepoProvider(IOptions<GistProviderOptions> options, IOptions<GitHubProviderOptions> github, IHttpClientFactory http, TimeProvider time,
        ILogger<GistRepoProvider> logger)
    {
        _options = options.Value;
        _github = github.Value;
        _http = http;
        _time = time;
        _logger = logger;
        _apiBase = _github.EffectiveApiBaseUrl;
        DisplayConfig = new ProviderDisplayConfig
        {
            DisplayName = "GitHub Gist",
            Id = "gist",
            Spec = new("[^/]+/[^/]+(/[^/]+)?"),
            Detect = new($"^(https?://{System.Text.RegularExpressions.Regex.Escape(_options.Hostname)}/)?(?<repo>.*[^/])/?"),
            Repo = new("Gist ID (username/gistId) or URL", $"example: https://{_options.Hostname}/username/gistId", UrlEncode: false),
            Ref = new(Enabled: true, Default: "HEAD"),
        };
    }

    public string Id => "gist";

    public string Name => "Gist";

    public ProviderDisplayConfig DisplayConfig { get; }

    public ResolveResult.Failed? CheckSpec(string spec) => GistSpec.TryParse(spec, out _, out var error) ? null : error;

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (!GistSpec.TryParse(spec, out var parsed, out var error)) return error!;

        var url = $"{_apiBase}/gists/{parsed.GistId}";
        using var request = GitHubApi.CreateRequest(_github, url);
        var answer = await ProviderHttp.SendAsync(_http.CreateClient(GitHubApi.HttpClientName), request, GitHubApi.Name, _github.RequestTimeout, _time,
            cancellationToken).ConfigureAwait(false);
        if (answer is ApiAnswer.Unanswered unanswered)
        {
            if (unanswered.Exception is { } ex) LogApiUnreachable(ex, _apiBase);
            return Error(spec, unanswered.Message, unanswered.StatusCode);
        }

        using var response = ((ApiAnswer.Answered)answer).Response;
        var status = (int)response.StatusCode;
        if (status is 404 or 422) return NotFound(spec);
        if (GitHubApi.SpentRateLimitReset(response, _time.GetUtcNow()) is { } reset)
        {
            LogRateLimited(reset);
            return Error(spec, GitHubApi.RateLimitMessage(reset), 429);
        }
        if (!response.IsSuccessStatusCode)
        {
            LogApiError(url, status);
            return Error(spec, $"the GitHub API answered {status} {response.ReasonPhrase}.", 502);
        }

        using var json = await ProviderHttp.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        if (json is null) return Error(spec, "the GitHub API answer is not a gist.", 502);
        var gist = json.RootElement;
        if (!_options.AllowSecretGist && !(gist.TryGetProperty("public", out var isPublic) && isPublic.ValueKind == JsonValueKind.True))
        {
            return Error(spec, "You seem to want to use a secret Gist, but do not have permission to do so. " +
                "To enable secret Gist support, set (or have an administrator set) 'Providers:Gist:AllowSecretGist' to true.", 403);
        }

        var versions = Versions(gist);
        var version = parsed.WantsNewest ? versions.FirstOrDefault() : versions.FirstOrDefault(v => string.Equals(v, parsed.Ref, StringComparison.Ordinal));
        if (version is null) return NotFound(spec);

        return new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl: $"https://{_options.Hostname}/{parsed.User}/{parsed.GistId}.git",
            ResolvedRef: version,
            RefUrl: $"https://{_options.Hostname}/{parsed.User}/{parsed.GistId}/{version}",
            ResolvedSpec: $"{parsed.User}/{parsed.GistId}/{version}",
            BuildSlug: parsed.GistId,
            UnresolvedRef: parsed.Ref,
            GitCredentials: _github.GitCredentials));
    }

    /// <summary>The gist's history versions, newest first (GitHub's order), keeping only well-formed commit ids.</summary>
    private static List<string> Versions(JsonElement gist)
    {
        if (!gist.TryGetProperty("history", out var history) || history.ValueKind != JsonValueKind.Array) return [];
        return history.EnumerateArray()
            .Select(entry => ProviderHttp.String(entry, "version"))
            .OfType<string>()
            .Where(Git.LsRemoteOutput.IsObjectId)
            .ToList();
    }

    private static ResolveResult.Failed NotFound(string spec) =>
        ResolveResult.NotFound("gist", spec);

    private static ResolveResult.Failed Error(string spec, string message, int status) =>
        ResolveResult.Error("gist", spec, message, status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API at {ApiBase} unreachable")]
    private partial void LogApiUnreachable(Exception exception, string apiBase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API answered {Status} for {Url}")]
    private partial void LogApiError(string url, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "GitHub rate limit exceeded resolving a gist; reset in {Reset}")]
    private partial void LogRateLimited(TimeSpan reset);
}
