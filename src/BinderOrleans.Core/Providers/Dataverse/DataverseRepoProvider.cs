using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Providers.Data;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.Dataverse;

/// <summary>
/// BinderHub's <c>DataverseProvider</c> (<c>/build/dataverse/10.7910/DVN/TJCLKP</c>): the DOI leads to an installation's
/// dataset page; <c>GET {that host}/api/datasets/:persistentId?{the page's query}</c> must say <c>status: OK</c>.
/// Record <c>{data.id}.v{major}.{minor}</c> of <c>latestVersion</c>, resolved spec <c>{authority}/{identifier}</c>,
/// <c>binder_ref_url</c> <c>persistentUrl</c>, slug <c>dataverse-</c> + the escaped, lower-cased identifier.
/// As a content fetcher (repo2docker's Dataverse provider): that version's files
/// (<c>GET /api/datasets/{id}/versions/{major}.{minor}</c>), each from <c>/api/access/datafile/{id}</c> (the original
/// format when there is one) under <c>directoryLabel/</c> and its name; a lone top folder is flattened.
/// </summary>
internal sealed partial class DataverseRepoProvider : IRepoProvider, IContentFetcher
{
    private readonly DataClient _client;
    private readonly IReadOnlyList<string> _allowedHosts;

    public DataverseRepoProvider(DataClient client, IOptions<DataverseProviderOptions> options)
    {
        _client = client;
        _allowedHosts = options.Value.AllowedHosts;
    }

    public string Id => "dataverse";

    public string ProviderId => Id;

    public string Name => "Dataverse";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Dataverse DOI",
        Id = "dataverse",
        Spec = new(DoiSpec.ValidateRegex),
        Repo = new("Dataverse DOI", "example: 10.7910/DVN/TJCLKP", UrlEncode: false),
        Ref = new(Enabled: false),
    };

    public ResolveResult.Failed? CheckSpec(string spec) => DoiSpec.Check(spec);

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (DoiSpec.Check(spec) is { } bad) return bad;
        var (dataset, failure) = await DatasetAsync(spec, cancellationToken).ConfigureAwait(false);
        if (dataset is null)
        {
            return failure!.StatusCode == ContentFailure.NotFoundStatus
                ? ResolveResult.NotFound(Id, spec)
                : ResolveResult.Error(Id, spec, failure.Message, failure.StatusCode);
        }
        using (dataset.Json)
        {
            var data = dataset.Json.RootElement.GetProperty("data");
            var id = Json.Path(data, "id")?.ToString();
            var identifier = Json.String(data, "identifier");
            var authority = Json.String(data, "authority");
            var persistentUrl = Json.String(data, "persistentUrl");
            var major = Json.Path(data, "latestVersion", "versionNumber")?.ToString();
            var minor = Json.Path(data, "latestVersion", "versionMinorNumber")?.ToString();
            if (id is null || identifier is null || authority is null || persistentUrl is null || major is null || minor is null)
            {
                return ResolveResult.Error(Id, spec, $"the Dataverse answer for {spec} lacks the dataset's id, identifier, authority, persistentUrl or version.", 502);
            }
            var record = $"{id}.v{major}.{minor}";
            return new ResolveResult.Resolved(new ResolvedRepo(
                RepoUrl: spec,
                ResolvedRef: record,
                RefUrl: persistentUrl,
                ResolvedSpec: $"{authority}/{identifier}",
                BuildSlug: "dataverse-" + ImageNaming.Escape(identifier).ToLowerInvariant(),
                UnresolvedRef: ""));
        }
    }

    public async Task<ContentFailure?> FetchAsync(ContentSource source, string directory, Action<string> log, CancellationToken cancellationToken)
    {
        if (Record().Match(source.ResolvedRef) is not { Success: true } match)
        {
            return new ContentFailure($"'{source.ResolvedRef}' is not a Dataverse dataset version (<id>.v<major>.<minor>).", 400);
        }
        var (landing, failure) = await LandingAsync(source.RepoUrl, cancellationToken).ConfigureAwait(false);
        if (landing is null) return failure;
        var host = new Uri(landing.GetLeftPart(UriPartial.Authority) + "/");
        var (id, version) = (match.Groups["id"].Value, match.Groups["v"].Value);
        var what = $"Dataverse dataset {source.RepoUrl} version {version}";
        log($"Fetching {what}.");
        var (json, listFailure) = await _client.GetJsonAsync(new Uri(host, $"api/datasets/{id}/versions/{version}"), what, cancellationToken).ConfigureAwait(false);
        if (json is null) return listFailure;
        var files = new List<RecordFile>();
        using (json)
        {
            if (Json.Path(json.RootElement, "data", "files") is not { ValueKind: JsonValueKind.Array } list)
            {
                return new ContentFailure($"{what} lists no files.", ContentFailure.UpstreamStatus);
            }
            foreach (var file in list.EnumerateArray())
            {
                var fileId = Json.Long(file, "dataFile", "id");
                var original = Json.String(file, "dataFile", "originalFileName");
                var name = original ?? Json.String(file, "label");
                if (fileId is null || name is null) return new ContentFailure($"{what} lists a file without id or label.", ContentFailure.UpstreamStatus);
                var folder = Json.String(file, "directoryLabel");
                var url = new Uri(host, $"api/access/datafile/{fileId.Value.ToString(CultureInfo.InvariantCulture)}{(original is null ? "" : "?format=original")}");
                var size = original is null ? Json.Long(file, "dataFile", "filesize") : Json.Long(file, "dataFile", "originalFileSize");
                files.Add(new RecordFile(folder is { Length: > 0 } ? $"{folder}/{name}" : name, url, size));
            }
        }
        return await RecordDownload.FetchAsync(_client, files, directory, what, unzipSingle: false, flatten: true, log, cancellationToken).ConfigureAwait(false);
    }

    private sealed record Dataset(JsonDocument Json);

    /// <summary>The dataset page the DOI leads to, on an allowed installation.</summary>
    private async Task<(Uri? Landing, ContentFailure? Failure)> LandingAsync(string doi, CancellationToken cancellationToken)
    {
        var (landing, failure) = await _client.ResolveDoiAsync(doi, cancellationToken).ConfigureAwait(false);
        if (landing is null) return (null, failure);
        if (_allowedHosts.Count > 0 && !_allowedHosts.Contains(landing.Authority, StringComparer.OrdinalIgnoreCase))
        {
            return (null, new ContentFailure($"DOI {doi} leads to {landing}, which is not an allowed Dataverse installation (Providers:Dataverse:AllowedHosts).", 400));
        }
        if (!landing.Query.Contains("persistentId=", StringComparison.Ordinal))
        {
            return (null, new ContentFailure($"DOI {doi} leads to {landing}, which is not a Dataverse dataset page.", 400));
        }
        return (landing, null);
    }

    private async Task<(Dataset? Dataset, ContentFailure? Failure)> DatasetAsync(string doi, CancellationToken cancellationToken)
    {
        var (landing, failure) = await LandingAsync(doi, cancellationToken).ConfigureAwait(false);
        if (landing is null) return (null, failure);
        var search = new UriBuilder(landing) { Path = "/api/datasets/:persistentId", Fragment = "" }.Uri;
        var (json, apiFailure) = await _client.GetJsonAsync(search, $"Dataverse dataset {doi}", cancellationToken).ConfigureAwait(false);
        if (json is null) return (null, apiFailure);
        if (Json.String(json.RootElement, "status") != "OK" || Json.Path(json.RootElement, "data") is not { ValueKind: JsonValueKind.Object })
        {
            json.Dispose();
            return (null, new ContentFailure($"DOI {doi} leads to {landing}, whose API does not answer status OK for the dataset.", 502));
        }
        return (new Dataset(json), null);
    }

    [GeneratedRegex(@"^(?<id>\d+)\.v(?<v>\d+\.\d+)$")]
    private static partial Regex Record();
}
