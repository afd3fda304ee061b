using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Bitbucket;

/// <summary>
/// Bitbucket Cloud repositories (BinderHub #311; not in BinderHub): <c>/build/bitbucket/&lt;workspace&gt;/&lt;repo&gt;/&lt;ref&gt;</c>,
/// like <c>gh</c>. The ref is resolved through the REST API 2.0: <c>HEAD</c> is the repository's <c>mainbranch</c>; a name
/// is tried as a branch (<c>refs/branches/{name}</c>), then a tag (<c>refs/tags/{name}</c>), then as a commit
/// (<c>commit/{ref}</c>), each answer's commit <c>hash</c> taken. Cloned over https by the builder's hardened git path;
/// slug <c>{workspace}-{repo}</c>, <c>binder_ref_url</c> <c>https://{host}/{workspace}/{repo}/src/{sha}</c>.
/// </summary>
internal sealed partial class BitbucketRepoProvider : IRepoProvider
{
    public const string HttpClientName = "BinderOrleans.Bitbucket";

    private const string ApiName = "Bitbucket API";

    private readonly BitbucketProviderOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _api;

    public BitbucketRepoProvider(IOptions<BitbucketProviderOptions> options, IHttpClientFactory http, TimeProvider time, ILogger<BitbucketRepoProvider> logger)
    {
        _options = options.Value;
        _http = http;
        _time = time;
        _logger = logger;
        _api = _options.ApiBaseUrl.TrimEnd('/');
        DisplayConfig = new ProviderDisplayConfig
        {
            DisplayName = "Bitbucket",
            Id = "bitbucket",
            Spec = new("[^/]+/[^/]+/.+"),
            Detect = new($"^https://{Regex.Escape(_options.Hostname)}/(?<repo>[^/]+/[^/]+)(/src/(?<ref>[^/]+)(/(?<filepath>.+))?)?/?$"),
            Repo = new("Bitbucket repository name or URL", $"example: https://{_options.Hostname}/workspace/repository", UrlEncode: false),
            Ref = new(Enabled: true, Default: "HEAD"),
        };
    }

    public string Id => "bitbucket";

    public string Name => "Bitbucket";

    public ProviderDisplayConfig DisplayConfig { get; }

    public ResolveResult.Failed? CheckSpec(string spec) => Parse(spec, out _, out _, out _);

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (Parse(spec, out var workspace, out var repo, out var gitRef) is { } bad) return bad;
        var root = $"{_api}/2.0/repositories/{Uri.EscapeDataString(workspace)}/{Uri.EscapeDataString(repo)}";
        string? sha = null;
        if (gitRef == "HEAD")
        {
            var (found, failure) = await GetAsync(root, spec, cancellationToken).ConfigureAwait(false);
            if (failure is not null) return failure;
            if (found is null || Json(found, "mainbranch", "name") is not { } main) return ResolveResult.NotFound(Id, spec);
            gitRef = main;
        }
        foreach (var url in (string[])[$"{root}/refs/branches/{Uri.EscapeDataString(gitRef)}", $"{root}/refs/tags/{Uri.EscapeDataString(gitRef)}"])
        {
            var (found, failure) = await GetAsync(url, spec, cancellationToken).ConfigureAwait(false);
            if (failure is not null) return failure;
            if (found is not null && Json(found, "target", "hash") is { } hash) { sha = hash; break; }
        }
        if (sha is null && Hex().IsMatch(gitRef))
        {
            var (found, failure) = await GetAsync($"{root}/commit/{gitRef}", spec, cancellationToken).ConfigureAwait(false);
            if (failure is not null) return failure;
            if (found is not null) sha = Json(found, "hash");
        }
        if (sha is null || !Git.LsRemoteOutput.IsObjectId(sha)) return ResolveResult.NotFound(Id, spec);

        var host = _options.Hostname;
        return new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl: $"https://{host}/{workspace}/{repo}.git",
            ResolvedRef: sha,
            RefUrl: $"https://{host}/{workspace}/{repo}/src/{sha}",
            ResolvedSpec: $"{workspace}/{repo}/{sha}",
            BuildSlug: $"{workspace}-{repo}",
            UnresolvedRef: gitRef));
    }

    /// <summary>The JSON body of a 200; null for a 404; the refusal for anything else.</summary>
    private async Task<(System.Text.Json.JsonDocument? Json, ResolveResult.Failed? Failure)> GetAsync(string url, string spec, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        ProviderHttp.AddUserAgent(request);
        var answer = await ProviderHttp.SendAsync(_http.CreateClient(HttpClientName), request, ApiName, _options.RequestTimeout, _time, cancellationToken).ConfigureAwait(false);
        if (answer is ApiAnswer.Unanswered unanswered)
        {
            if (unanswered.Exception is { } ex) LogUnreachable(ex, _api);
            return (null, ResolveResult.Error(Id, spec, unanswered.Message, unanswered.StatusCode));
        }
        using var response = ((ApiAnswer.Answered)answer).Response;
        var status = (int)response.StatusCode;
        if (status == 404) return (null, null);
        if (!response.IsSuccessStatusCode)
        {
            LogApiError(url, status);
            return (null, ResolveResult.Error(Id, spec, $"the Bitbucket API answered {status} {response.ReasonPhrase}.", 502));
        }
        var json = await ProviderHttp.ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        return json is null ? (null, ResolveResult.Error(Id, spec, "the Bitbucket API did not answer with JSON.", 502)) : (json, null);
    }

    private static string? Json(System.Text.Json.JsonDocument json, params string[] path)
    {
        using (json)
        {
            return Data.Json.String(json.RootElement, path);
        }
    }

    private static ResolveResult.Failed? Parse(string spec, out string workspace, out string repo, out string gitRef)
    {
        (workspace, repo, gitRef) = ("", "", "");
        var parts = spec.Split('/', 3);
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
        {
            return new ResolveResult.Failed($"Spec is not of the form \"workspace/repo/ref\", provided: \"{spec}\".", 400);
        }
        (workspace, repo, gitRef) = (Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]), Uri.UnescapeDataString(parts[2]));
        if (repo.EndsWith(".git", StringComparison.Ordinal)) repo = repo[..^".git".Length];
        if (!RepoName().IsMatch(workspace) || !RepoName().IsMatch(repo) || workspace is "." or ".." || repo is "." or "..")
        {
            return new ResolveResult.Failed($"\"{workspace}/{repo}\" is not a Bitbucket repository name (letters, digits, '-', '_' and '.').", 400);
        }
        return gitRef.Any(char.IsControl) || gitRef.Split('/').Any(s => s is "" or "." or "..") ? new ResolveResult.Failed($"Invalid ref \"{gitRef}\".", 400) : null;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex RepoName();

    [GeneratedRegex("^[0-9a-f]{7,40}$")]
    private static partial Regex Hex();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bitbucket API at {ApiBase} unreachable")]
    private partial void LogUnreachable(Exception exception, string apiBase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bitbucket API answered {Status} for {Url}")]
    private partial void LogApiError(string url, int status);
}
