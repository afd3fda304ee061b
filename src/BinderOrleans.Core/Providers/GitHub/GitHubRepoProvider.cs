using System.Globalization;
using System.Net;
using BinderOrleans.Core.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>
/// BinderHub's <c>GitHubRepoProvider</c> (<c>/build/gh/&lt;owner&gt;/&lt;repo&gt;/&lt;ref&gt;</c>): refs resolved with
/// <c>GET /repos/{owner}/{repo}/commits/{ref}</c>, answers kept by ETag (a 304 costs no rate limit), misses kept 5 minutes.
/// </summary>
internal sealed partial class GitHubRepoProvider : IRepoProvider
{
    public const string HttpClientName = GitHubApi.HttpClientName;

    private const int CacheSize = 1024;
    private static readonly TimeSpan NotFoundCacheAge = TimeSpan.FromSeconds(300);

    private readonly GitHubProviderOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LruCache<string, CachedCommit> _commits;
    private readonly LruCache<string, bool> _notFound;
    private readonly string _apiBase;
    private readonly BinderMetrics? _metrics;

    public GitHubRepoProvider(IOptions<GitHubProviderOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<GitHubRepoProvider> logger,
        BinderMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options.Value;
        _http = http;
        _time = time;
        _logger = logger;
        _apiBase = _options.EffectiveApiBaseUrl;
        _commits = new LruCache<string, CachedCommit>(CacheSize, time);
        _notFound = new LruCache<string, bool>(CacheSize, time, NotFoundCacheAge);
        DisplayConfig = new ProviderDisplayConfig
        {
            DisplayName = "GitHub",
            Id = "gh",
            Spec = new("[^/]+/[^/]+/.+"),
            Detect = new($"^(https?://{System.Text.RegularExpressions.Regex.Escape(_options.Hostname)}/)?(?<repo>.*[^/])/?"),
            Repo = new("GitHub repository name or URL",
                $"example: binder-examples/requirements or https://{_options.Hostname}/binder-examples/requirements", UrlEncode: false),
            Ref = new(Enabled: true, Default: "HEAD"),
        };
    }

    public string Id => "gh";

    public string Name => "GitHub";

    public ProviderDisplayConfig DisplayConfig { get; }

    /// <summary>The last <c>x-ratelimit-remaining</c> GitHub sent (BinderHub's <c>binderhub_github_rate_limit_remaining</c>).</summary>
    public int? RateLimitRemaining { get; private set; }

    public ResolveResult.Failed? CheckSpec(string spec) => GitHubSpec.TryParse(spec, out _, out var error) ? null : error;

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (!GitHubSpec.TryParse(spec, out var parsed, out var error)) return error!;

        var lookup = await LookupAsync(parsed, cancellationToken).ConfigureAwait(false);
        string? notice = null;
        if (lookup is GitHubLookup.NotFound && parsed.Ref is "master" or "main")
        {
            // Old links name the branch GitHub renamed; HEAD is the default branch whatever it is called. BinderHub also
            // sleeps 10 s here to nudge people into fixing links; we tell them and carry on without making them wait.
            var head = await LookupAsync(parsed with { Ref = "HEAD" }, cancellationToken).ConfigureAwait(false);
            if (head is GitHubLookup.Found)
            {
                notice = $"{NotFoundMessage(spec, parsed.Ref)}\nTrying again with HEAD instead of {parsed.Ref}. Please update your links.";
                lookup = head;
            }
        }

        return lookup switch
        {
            GitHubLookup.Found found => new ResolveResult.Resolved(new ResolvedRepo(
                RepoUrl: $"https://{_options.Hostname}/{parsed.Owner}/{parsed.Repo}",
                ResolvedRef: found.Sha,
                RefUrl: $"https://{_options.Hostname}/{parsed.Owner}/{parsed.Repo}/tree/{found.Sha}",
                ResolvedSpec: $"{parsed.Owner}/{parsed.Repo}/{found.Sha}",
                BuildSlug: $"{parsed.Owner}-{parsed.Repo}",
                UnresolvedRef: parsed.Ref,
                GitCredentials: _options.GitCredentials), notice),
            GitHubLookup.Error failure => ResolveResult.Error("gh", spec, failure.Message, failure.StatusCode),
            _ => new ResolveResult.Failed(NotFoundMessage(spec, parsed.Ref), 404),
        };
    }

    private static string NotFoundMessage(string spec, string gitRef)
    {
        var message = ResolveResult.NotFound("gh", spec).Message +
            " GitHub recently changed default branches from \"master\" to \"main\".";
        return gitRef is "master" or "main" ? message + " Tip: HEAD will always resolve to a repository's default branch." : message;
    }

    private async Task<GitHubLookup> LookupAsync(GitHubSpec spec, CancellationToken cancellationToken)
    {
        var url = $"{_apiBase}/repos/{spec.Owner}/{spec.Repo}/commits/{spec.EscapedRef}";
        var cached = _commits.TryGet(url, out var hit) ? hit : null;
        if (cached is null && _notFound.TryGet(url, out _)) return GitHubLookup.NotFound.Instance;

        using var request = GitHubApi.CreateRequest(_options, url);
        if (cached is not null) request.Headers.TryAddWithoutValidation("If-None-Match", cached.ETag);

        var answer = await ProviderHttp.SendAsync(_http.CreateClient(HttpClientName), request, GitHubApi.Name, _options.RequestTimeout, _time, cancellationToken)
            .ConfigureAwait(false);
        if (answer is ApiAnswer.Unanswered unanswered)
        {
            if (unanswered.Exception is { } ex) LogApiUnreachable(ex, _apiBase);
            return new GitHubLookup.Error(unanswered.Message, unanswered.StatusCode);
        }

        var response = ((ApiAnswer.Answered)answer).Response;
        using (response)
        {
            RecordRateLimit(response);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.NotModified && cached is not null)
            {
                _commits.Set(url, cached);
                return new GitHubLookup.Found(cached.Sha);
            }
            if (status is 404 or 422)
            {
                _notFound.Set(url, true);
                return GitHubLookup.NotFound.Instance;
            }
            if (RateLimitMessage(response) is { } limited)
            {
                return new GitHubLookup.Error(limited, 429);
            }
            if (!response.IsSuccessStatusCode)
            {
                LogApiError(url, status);
                return new GitHubLookup.Error($"the GitHub API answered {status} {response.ReasonPhrase}.", 502);
            }

            var sha = await ReadShaAsync(response, cancellationToken).ConfigureAwait(false);
            if (sha is null)
            {
                LogNoSha(url);
                return GitHubLookup.NotFound.Instance;
            }
            if (response.Headers.ETag?.ToString() is { Length: > 0 } etag) _commits.Set(url, new CachedCommit(etag, sha));
            return new GitHubLookup.Found(sha);
        }
    }

    private static async Task<string?> ReadShaAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var json = await ProviderHttp.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        return json is not null && ProviderHttp.String(json.RootElement, "sha") is { } sha && Git.LsRemoteOutput.IsObjectId(sha) ? sha : null;
    }

    private string? RateLimitMessage(HttpResponseMessage response)
    {
        if (GitHubApi.SpentRateLimitReset(response, _time.GetUtcNow()) is not { } reset) return null;
        LogRateLimited(Header(response, "x-ratelimit-limit") ?? "?", reset);
        return GitHubApi.RateLimitMessage(reset);
    }

    private void RecordRateLimit(HttpResponseMessage response)
    {
        if (!int.TryParse(Header(response, "x-ratelimit-remaining"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var remaining)) return;
        RateLimitRemaining = remaining;
        _metrics?.GitHubRateLimitRemaining.Set(remaining);
        if (!int.TryParse(Header(response, "x-ratelimit-limit"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) || limit <= 0) return;
        var fraction = (double)remaining / limit;
        var level = fraction < 0.2 ? LogLevel.Warning : fraction < 0.5 ? LogLevel.Information : LogLevel.Debug;
        LogRateLimit(level, remaining, limit);
    }

    private static string? Header(HttpResponseMessage response, string name) => ProviderHttp.Header(response, name);

    [LoggerMessage(Message = "GitHub rate limit remaining {Remaining}/{Limit}")]
    private partial void LogRateLimit(LogLevel level, int remaining, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "GitHub rate limit ({Limit}) exceeded; reset in {Reset}")]
    private partial void LogRateLimited(string limit, TimeSpan reset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API at {ApiBase} unreachable")]
    private partial void LogApiUnreachable(Exception exception, string apiBase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API answered {Status} for {Url}")]
    private partial void LogApiError(string url, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API answer for {Url} has no commit sha")]
    private partial void LogNoSha(string url);
}
