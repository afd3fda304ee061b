using BinderOrleans.Core.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octokit;

namespace BinderOrleans.Core.Providers.GitHub;

/// <summary>
/// BinderHub's <c>GitHubRepoProvider</c> (<c>/build/gh/&lt;owner&gt;/&lt;repo&gt;/&lt;ref&gt;</c>): refs resolved with
/// <c>GET /repos/{owner}/{repo}/commits/{ref}</c> through Octokit, asking for the bare SHA (<c>application/vnd.github.sha</c>);
/// answers kept in Octokit's response cache and revalidated by ETag (a 304 costs no rate limit), misses kept 5 minutes.
/// </summary>
internal sealed partial class GitHubRepoProvider : IRepoProvider, IPrivateRepoProvider
{
    public const string HttpClientName = GitHubApiClient.HttpClientName;

    private const string ShaMediaType = "application/vnd.github.sha";
    private const int CacheSize = 1024;
    private static readonly TimeSpan NotFoundCacheAge = TimeSpan.FromSeconds(300);

    private readonly GitHubProviderOptions _options;
    private readonly GitHubApiClient _api;
    private readonly ILogger _logger;
    private readonly LruCache<string, bool> _notFound;
    private readonly BinderMetrics? _metrics;

    public GitHubRepoProvider(IOptions<GitHubProviderOptions> options, IHttpMessageHandlerFactory handlers, TimeProvider time,
        ILogger<GitHubRepoProvider> logger, BinderMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _api = new GitHubApiClient(_options, handlers, time, new GitHubResponseCache(CacheSize, time));
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

    public Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken) => ResolveAsync(spec, null, cancellationToken);

    /// <summary>The repository's https URL on <c>Providers:GitHub:Hostname</c>, which a user's credential rule may name.</summary>
    public string? CredentialUrlOf(string spec) =>
        GitHubSpec.TryParse(spec, out var parsed, out _) ? $"https://{_options.Hostname}/{parsed.Owner}/{parsed.Repo}" : null;

    /// <summary>GitHub answers every lookup itself (a commit id too), and 404 for a repository the token cannot see.</summary>
    public Task<ResolveResult> ResolveCheckedAsync(string spec, RepoCredential? credential, CancellationToken cancellationToken) =>
        ResolveAsync(spec, credential?.Password, cancellationToken);

    private async Task<ResolveResult> ResolveAsync(string spec, string? userToken, CancellationToken cancellationToken)
    {
        if (!GitHubSpec.TryParse(spec, out var parsed, out var error)) return error!;

        var lookup = await LookupAsync(parsed, userToken, cancellationToken).ConfigureAwait(false);
        string? notice = null;
        if (lookup is GitHubAnswer<string>.NotFound && parsed.Ref is "master" or "main")
        {
            // Old links name the branch GitHub renamed; HEAD is the default branch whatever it is called. BinderHub also
            // sleeps 10 s here to nudge people into fixing links; we tell them and carry on without making them wait.
            var head = await LookupAsync(parsed with { Ref = "HEAD" }, userToken, cancellationToken).ConfigureAwait(false);
            if (head is GitHubAnswer<string>.Found)
            {
                notice = $"{NotFoundMessage(spec, parsed.Ref)}\nTrying again with HEAD instead of {parsed.Ref}. Please update your links.";
                lookup = head;
            }
        }

        return lookup switch
        {
            GitHubAnswer<string>.Found found => new ResolveResult.Resolved(new ResolvedRepo(
                RepoUrl: $"https://{_options.Hostname}/{parsed.Owner}/{parsed.Repo}",
                ResolvedRef: found.Value,
                RefUrl: $"https://{_options.Hostname}/{parsed.Owner}/{parsed.Repo}/tree/{found.Value}",
                ResolvedSpec: $"{parsed.Owner}/{parsed.Repo}/{found.Value}",
                BuildSlug: $"{parsed.Owner}-{parsed.Repo}",
                UnresolvedRef: parsed.Ref,
                GitCredentials: _options.GitCredentials), notice),
            GitHubAnswer<string>.Error failure => ResolveResult.Error("gh", spec, failure.Message, failure.StatusCode),
            _ => new ResolveResult.Failed(NotFoundMessage(spec, parsed.Ref), 404),
        };
    }

    private static string NotFoundMessage(string spec, string gitRef)
    {
        var message = ResolveResult.NotFound("gh", spec).Message +
            " GitHub recently changed default branches from \"master\" to \"main\".";
        return gitRef is "master" or "main" ? message + " Tip: HEAD will always resolve to a repository's default branch." : message;
    }

    /// <param name="spec">The parsed spec.</param>
    /// <param name="userToken">A user's own token: asked with it, past the shared caches, and its rate limit is not the service's.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    private async Task<GitHubAnswer<string>> LookupAsync(GitHubSpec spec, string? userToken, CancellationToken cancellationToken)
    {
        var endpoint = ApiUrls.RepositoryCommit(spec.Owner, spec.Repo, spec.EscapedRef);
        var key = endpoint.OriginalString;
        if (userToken is null && _notFound.TryGet(key, out _)) return GitHubAnswer<string>.NotFound.Instance;

        var answer = await _api.GetAsync<string>(endpoint, ShaMediaType, userToken is null ? RecordRateLimit : null, cancellationToken, userToken)
            .ConfigureAwait(false);
        switch (answer)
        {
            case GitHubAnswer<string>.Found { Value: var body }:
                var sha = body.Trim();
                if (Git.LsRemoteOutput.IsObjectId(sha)) return new GitHubAnswer<string>.Found(sha);
                LogNoSha(key);
                return GitHubAnswer<string>.NotFound.Instance;
            case GitHubAnswer<string>.NotFound:
                if (userToken is null) _notFound.Set(key, true);
                return answer;
            case GitHubAnswer<string>.Error { StatusCode: 429, Message: var message }:
                LogRateLimited(message);
                return answer;
            case GitHubAnswer<string>.Error { Cause: HttpRequestException cause }:
                LogApiUnreachable(cause, _api.BaseAddress);
                return answer;
            case GitHubAnswer<string>.Error { Cause: ApiException cause }:
                LogApiError(key, (int)cause.StatusCode);
                return answer;
            default:
                return answer;
        }
    }

    private void RecordRateLimit(RateLimit limit)
    {
        RateLimitRemaining = limit.Remaining;
        _metrics?.GitHubRateLimitRemaining.Set(limit.Remaining);
        var fraction = (double)limit.Remaining / limit.Limit;
        var level = fraction < 0.2 ? LogLevel.Warning : fraction < 0.5 ? LogLevel.Information : LogLevel.Debug;
        LogRateLimit(level, limit.Remaining, limit.Limit);
    }

    [LoggerMessage(Message = "GitHub rate limit remaining {Remaining}/{Limit}")]
    private partial void LogRateLimit(LogLevel level, int remaining, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "GitHub rate limit exceeded: {Message}")]
    private partial void LogRateLimited(string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API at {ApiBase} unreachable")]
    private partial void LogApiUnreachable(Exception exception, Uri apiBase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API answered {Status} for {Url}")]
    private partial void LogApiError(string url, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API answer for {Url} has no commit sha")]
    private partial void LogNoSha(string url);
}
