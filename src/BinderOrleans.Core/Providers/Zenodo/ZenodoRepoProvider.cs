using System.Text.Json;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Providers.Data;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Zenodo;

/// <summary>
/// BinderHub's <c>ZenodoProvider</c> (<c>/build/zenodo/10.5281/zenodo.3242074</c>): the DOI is resolved through the DOI
/// resolver and the record id is the last path segment of the page it leads to (a concept DOI leads to the newest
/// version). Image slug <c>zenodo-{record}</c>, resolved spec the DOI with its version replaced by the record,
/// <c>binder_ref_url</c> <c>https://doi.org/{resolved spec}</c>, repository URL the DOI as given.
/// Beyond BinderHub, a DOI that leads anywhere but a record page of <c>Providers:Zenodo:BaseUrl</c> is refused.
/// As a content fetcher (repo2docker's Zenodo provider): <c>GET {BaseUrl}/api/records/{id}</c>, then its
/// <c>links.files</c> list's <c>entries</c>, each downloaded from <c>links.content</c> under its <c>key</c>.
/// </summary>
internal sealed partial class ZenodoRepoProvider : IRepoProvider, IContentFetcher
{
    private readonly DataClient _client;
    private readonly Uri _site;

    public ZenodoRepoProvider(DataClient client, IOptions<ZenodoProviderOptions> options)
    {
        _client = client;
        _site = new Uri(options.Value.BaseUrl.TrimEnd('/') + "/");
    }

    public string Id => "zenodo";

    public string ProviderId => Id;

    public string Name => "Zenodo";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Zenodo DOI",
        Id = "zenodo",
        Spec = new(DoiSpec.ValidateRegex),
        Repo = new("Zenodo DOI", "example: 10.5281/zenodo.3242074", UrlEncode: false),
        Ref = new(Enabled: false),
    };

    public ResolveResult.Failed? CheckSpec(string spec) => DoiSpec.Check(spec);

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (DoiSpec.Check(spec) is { } bad) return bad;
        var (landing, failure) = await _client.ResolveDoiAsync(spec, cancellationToken).ConfigureAwait(false);
        if (landing is null)
        {
            return failure!.StatusCode == ContentFailure.NotFoundStatus
                ? ResolveResult.NotFound(Id, spec)
                : ResolveResult.Error(Id, spec, failure.Message, failure.StatusCode);
        }
        if (!SameSite(landing) || RecordPage().Match(landing.AbsolutePath) is not { Success: true } match)
        {
            return ResolveResult.Error(Id, spec, $"DOI {spec} leads to {landing}, which is not a record on {_site.GetLeftPart(UriPartial.Authority)}.", 400);
        }

        var record = match.Groups["id"].Value;
        var resolvedSpec = spec[..IndexOrLength(spec, "zenodo")] + "zenodo." + record;
        return new ResolveResult.Resolved(new ResolvedRepo(
            RepoUrl: spec,
            ResolvedRef: record,
            RefUrl: $"https://doi.org/{resolvedSpec}",
            ResolvedSpec: resolvedSpec,
            BuildSlug: $"zenodo-{record}",
            UnresolvedRef: ""));
    }

    public async Task<ContentFailure?> FetchAsync(ContentSource source, string directory, Action<string> log, CancellationToken cancellationToken)
    {
        var record = source.ResolvedRef;
        if (!Digits().IsMatch(record)) return new ContentFailure($"'{record}' is not a Zenodo record id.", 400);
        var what = $"Zenodo record {record}";
        log($"Fetching {what}.");
        var (json, failure) = await _client.GetJsonAsync(new Uri(_site, $"api/records/{record}"), what, cancellationToken).ConfigureAwait(false);
        if (json is null) return failure;
        Uri? filesUrl;
        using (json)
        {
            filesUrl = Json.Uri(json.RootElement, "links", "files");
        }
        if (filesUrl is null) return new ContentFailure($"{what} lists no files (no links.files in its metadata).", ContentFailure.UpstreamStatus);

        var (listing, listFailure) = await _client.GetJsonAsync(filesUrl, $"{what}'s file list", cancellationToken).ConfigureAwait(false);
        if (listing is null) return listFailure;
        var files = new List<RecordFile>();
        using (listing)
        {
            if (!listing.RootElement.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
            {
                return new ContentFailure($"{what}'s file list has no entries.", ContentFailure.UpstreamStatus);
            }
            foreach (var entry in entries.EnumerateArray())
            {
                if (Json.String(entry, "key") is not { } key || Json.Uri(entry, "links", "content") is not { } content)
                {
                    return new ContentFailure($"{what}'s file list has an entry without key or links.content.", ContentFailure.UpstreamStatus);
                }
                files.Add(new RecordFile(key, content, Json.Long(entry, "size")));
            }
        }
        return await RecordDownload.FetchAsync(_client, files, directory, what, unzipSingle: true, flatten: false, log, cancellationToken).ConfigureAwait(false);
    }

    private bool SameSite(Uri url) => DataSite.Contains(_site, url);

    private static int IndexOrLength(string s, string value) => s.IndexOf(value, StringComparison.Ordinal) is var i and >= 0 ? i : s.Length;

    /// <summary>Zenodo's record pages: <c>/records/{id}</c> (and the older <c>/record/{id}</c>).</summary>
    [GeneratedRegex(@"/records?/(?<id>\d+)/?$")]
    private static partial Regex RecordPage();

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex Digits();
}
