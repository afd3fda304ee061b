using BinderOrleans.Core.Providers.GitHub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Octokit;

namespace BinderOrleans.Core.Providers.Gist;

/// <summary>
/// BinderHub's <c>GistRepoProvider</c> (<c>/build/gist/&lt;user&gt;/&lt;gist-id&gt;[/&lt;ref&gt;]</c>): versions come from
/// <c>GET /gists/{id}</c> on the configured GitHub API, through Octokit; the ref must be one of the gist's history versions, or
/// empty/HEAD/master/main for the newest. Secret gists are refused unless <c>Providers:Gist:AllowSecretGist</c>.
/// </summary>
internal sealed partial class GistRepoProvider : IRepoProvider
{
    private const string JsonMediaType = "application/vnd.github+json";

    private readonly GistProviderOptions _options;
    private readonly GitHubProviderOptions _github;
    private readonly GitHubApiClient _api;
    private readonly ILogger _logger;

    public GistRepoProvider(IOptions<GistProviderOptions> options, IOptions<GitHubProviderOptions> github, IHttpMessageHandlerFactory handlers,
        TimeProvider time, ILogger<GistRepoProvider> logger)
    {
        _options = options.Value;
        _github = github.Value;
        _logger = logger;
        // No response cache: a gist's answer carries its files' contents, too big to keep a thousand of.
        _api = new GitHubApiClient(_github, handlers, time);
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

        var endpoint = ApiUrls.Gist(parsed.GistId);
        Octokit.Gist gist;
        switch (await _api.GetAsync<Octokit.Gist>(endpoint, JsonMediaType, observe: null, cancellationToken).ConfigureAwait(false))
        {
            case GitHubAnswer<Octokit.Gist>.Found found:
                gist = found.Value;
                break;
            case GitHubAnswer<Octokit.Gist>.Error failure:
                if (failure.StatusCode == 429) LogRateLimited(failure.Message);
                else if (failure.Cause is HttpRequestException unreachable) LogApiUnreachable(unreachable, _api.BaseAddress);
                else if (failure.Cause is ApiException api) LogApiError(endpoint.OriginalString, (int)api.StatusCode);
                return Error(spec, failure.Message, failure.StatusCode);
            default:
                return NotFound(spec);
        }

        if (!_options.AllowSecretGist && !gist.Public)
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
    private static List<string> Versions(Octokit.Gist gist) =>
        (gist.History ?? []).Select(entry => entry.Version).OfType<string>().Where(Git.LsRemoteOutput.IsObjectId).ToList();

    private static ResolveResult.Failed NotFound(string spec) =>
        ResolveResult.NotFound("gist", spec);

    private static ResolveResult.Failed Error(string spec, string message, int status) =>
        ResolveResult.Error("gist", spec, message, status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API at {ApiBase} unreachable")]
    private partial void LogApiUnreachable(Exception exception, Uri apiBase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub API answered {Status} for {Url}")]
    private partial void LogApiError(string url, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "GitHub rate limit exceeded resolving a gist: {Message}")]
    private partial void LogRateLimited(string message);
}
