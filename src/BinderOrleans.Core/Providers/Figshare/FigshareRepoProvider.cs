using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Providers.Data;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Figshare;

/// <summary>
/// BinderHub's <c>FigshareProvider</c> (<c>/build/figshare/10.6084/m9.figshare.9782777.v1</c>): the DOI must resolve; the
/// article id and version come from the DOI itself (<c>….{id}.v{n}</c>), an unversioned DOI takes the newest version
/// from <c>GET {ApiBaseUrl}/articles/{id}/versions</c>. Record <c>{id}.v{n}</c>, slug <c>figshare-{record}</c>, resolved
/// spec the DOI up to <c>figshare</c> + <c>figshare.{record}</c>, <c>binder_ref_url</c> <c>https://doi.org/{resolved spec}</c>.
/// Beyond BinderHub, a DOI that leads to a page that is not a Figshare article (<c>/articles/</c>) is refused.
/// As a content fetcher (repo2docker's Figshare provider): <c>GET {ApiBaseUrl}/articles/{id}/versions/{n}</c>, its
/// <c>files</c> downloaded from <c>download_url</c> (link-only files skipped); a lone zip is unpacked.
/// </summary>
internal sealed partial class FigshareRepoProvider : IRepoProvider, IContentFetcher
{
    private readonly DataClient _client;
    private readonly string _api;

    public FigshareRepoProvider(DataClient client, IOptions<FigshareProviderOptions> options)
    {
        _client = client;
        _api = options.Value.ApiBaseUrl.TrimEnd('/');
    }

    public string Id => "figshare";

    public string ProviderId => Id;

    public string Name => "Figshare";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "FigShare DOI",
        Id = "figshare",
        Spec = new(DoiSpec.ValidateRegex),
        Repo = new("FigShare DOI", "example: 10.6084/m9.figshare.9782777.v1", UrlEncode: false),
        Ref = new(Enabled: false),
    };

    public ResolveResult.Failed? CheckSpec(string spec) => DoiSpec.Check(spec) ?? (Parse(spec) is null ? Unexpected(spec) : null);

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (CheckSpec(spec) is { } bad) return bad;
        var (article, version) = Parse(spec)!.Value;
        var (landing, failure) = await _client.ResolveDoiAsync(spec, cancellationToken).ConfigureAwait(false);
        if (landing is null)
        {
            return failure!.StatusCode == ContentFailure.NotFoundStatus
                ? ResolveResult.NotFound(Id, spec)
                : ResolveResult.Error(Id, spec, failure.Message, failure.StatusCode);
        }
        if (!landing.AbsolutePath.Contains("/articles/", StringComparison.Ordinal))
        {
            return ResolveResult.Error(Id, spec, $"DOI {spec} leads to {landing}, which is not a Figshare article.", 400);
        }

        if (version is null)
        {
            var what = $"Figshare article {article}";
            var (json, listFailure) = await _client.GetJsonAsync(new Uri($"{_api}/articles/{article}/versions"), what, cancellationToken).ConfigureAwait(false);
            if (json is null)
            {
                return listFailure!.StatusCode == ContentFailure.NotFoundStatus
                    ? ResolveResult.NotFound(Id, spec)
                    : ResolveResult.Error(Id, spec, listFailure.Message, listFailure.StatusCode);
            }
            using (json)
            {
                version = json.RootElement.ValueKind == JsonValueKind.Array
                    ? json.RootElement.EnumerateArray().Select(v => Json.Long(v, "version")).Where(v => v is not null).Max()
                    : null;
            }
            if (version is null) return ResolveResult.Error(Id, spec, $"Article {article} has no versions", 404);
        }

        var record = $"{article}.v{version.Value.ToString(CultureInfo.InvariantCulture)}";
        var resolvedSpec = spec[..IndexOrLength(spec, "figshare")] + "figshare." + record;
        return new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl: spec,
            ResolvedRef: record,
            RefUrl: $"https://doi.org/{resolvedSpec}",
            ResolvedSpec: resolvedSpec,
            BuildSlug: $"figshare-{record}",
            UnresolvedRef: ""));
    }

    public async Task<ContentFailure?> FetchAsync(ContentSource source, string directory, Action<string> log, CancellationToken cancellationToken)
    {
        if (Record().Match(source.ResolvedRef) is not { Success: true } match)
        {
            return new ContentFailure($"'{source.ResolvedRef}' is not a Figshare article version (<id>.v<n>).", 400);
        }
        var (article, version) = (match.Groups["id"].Value, match.Groups["v"].Value);
        var what = $"Figshare article {article} version {version}";
        log($"Fetching {what}.");
        var (json, failure) = await _client.GetJsonAsync(new Uri($"{_api}/articles/{article}/versions/{version}"), what, cancellationToken).ConfigureAwait(false);
        if (json is null) return failure;
        var files = new List<RecordFile>();
        using (json)
        {
            if (Json.Path(json.RootElement, "files") is not { ValueKind: JsonValueKind.Array } list)
            {
                return new ContentFailure($"{what} lists no files.", ContentFailure.UpstreamStatus);
            }
            foreach (var file in list.EnumerateArray())
            {
                if (Json.Path(file, "is_link_only") is { ValueKind: JsonValueKind.True }) continue;
                if (Json.String(file, "name") is not { } name || Json.Uri(file, "download_url") is not { } url)
                {
                    return new ContentFailure($"{what} lists a file without name or download_url.", ContentFailure.UpstreamStatus);
                }
                files.Add(new RecordFile(name, url, Json.Long(file, "size")));
            }
        }
        return await RecordDownload.FetchAsync(_client, files, directory, what, unzipSingle: true, flatten: false, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>BinderHub's reading of the DOI: <c>….{id}.v{n}</c> or <c>….{id}</c> (at least three dot-separated fields after the <c>/</c>).</summary>
    private static (string Article, long? Version)? Parse(string spec)
    {
        var fields = spec[(spec.IndexOf('/', StringComparison.Ordinal) + 1)..].Split('.');
        if (fields.Length < 3) return null;
        if (fields[^1].StartsWith('v'))
        {
            return Digits().IsMatch(fields[^2]) && long.TryParse(fields[^1][1..], NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? (fields[^2], v)
                : null;
        }
        return Digits().IsMatch(fields[^1]) ? (fields[^1], null) : null;
    }

    private static ResolveResult.Failed Unexpected(string spec) => new($"Unexpected figshare doi: {spec}", 400);

    private static int IndexOrLength(string s, string value) => s.IndexOf(value, StringComparison.Ordinal) is var i and >= 0 ? i : s.Length;

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex Digits();

    [GeneratedRegex(@"^(?<id>\d+)\.v(?<v>\d+)$")]
    private static partial Regex Record();
}
