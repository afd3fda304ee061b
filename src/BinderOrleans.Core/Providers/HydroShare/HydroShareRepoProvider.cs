using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BinderOrleans.Core.Providers.Data;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Providers.HydroShare;

/// <summary>
/// BinderHub's <c>HydroshareProvider</c> (<c>/build/hydroshare/&lt;anything holding the 32-hex resource id&gt;</c>):
/// the version is the resource's <c>modified</c> date from <c>GET {BaseUrl}/hsapi/resource/{id}/scimeta/elements</c> as
/// Unix seconds. Record <c>{id}.v{epoch}</c>, slug <c>hydroshare-{record}</c>; repository URL, resolved spec and
/// <c>binder_ref_url</c> are all <c>{BaseUrl}/resource/{id}</c> (HydroShare keeps no history).
/// As a content fetcher (repo2docker's Hydroshare provider): the resource's BagIt zip from
/// <c>{BaseUrl}/django_s3/download/bags/{id}.zip</c>, unpacked safely, keeping only <c>{id}/data/contents/</c>.
/// </summary>
internal sealed partial class HydroShareRepoProvider : IRepoProvider, IContentFetcher
{
    private readonly DataClient _client;
    private readonly string _base;

    public HydroShareRepoProvider(DataClient client, IOptions<HydroShareProviderOptions> options)
    {
        _client = client;
        _base = options.Value.BaseUrl.TrimEnd('/');
    }

    public string Id => "hydroshare";

    public string ProviderId => Id;

    public string Name => "Hydroshare";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "Hydroshare resource",
        Id = "hydroshare",
        Spec = new("[^/]+"),
        Repo = new("Hydroshare resource id", "example: 8f7c2f0341ef4180b0dbe97f59130756", UrlEncode: true),
        Ref = new(Enabled: false),
    };

    public ResolveResult.Failed? CheckSpec(string spec) =>
        ResourceId(spec) is null ? new ResolveResult.Failed("The specified Hydroshare resource id was not recognized.", 400) : null;

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (CheckSpec(spec) is { } bad) return bad;
        var id = ResourceId(spec)!;
        var (json, failure) = await _client.GetJsonAsync(new Uri($"{_base}/hsapi/resource/{id}/scimeta/elements"), $"Hydroshare resource {id}", cancellationToken)
            .ConfigureAwait(false);
        if (json is null)
        {
            return failure!.StatusCode == ContentFailure.NotFoundStatus ? ResolveResult.NotFound(Id, spec) : ResolveResult.Error(Id, spec, failure.Message, failure.StatusCode);
        }
        string? modified;
        using (json)
        {
            modified = Json.Path(json.RootElement, "dates") is { ValueKind: JsonValueKind.Array } dates
                ? dates.EnumerateArray().Where(d => Json.String(d, "type") == "modified").Select(d => Json.String(d, "start_date")).FirstOrDefault()
                : null;
        }
        // BinderHub: the part before '.', read as UTC, truncated to whole seconds.
        if (modified is null || !DateTime.TryParseExact(modified.Split('.')[0], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
        {
            return ResolveResult.Error(Id, spec, $"the Hydroshare metadata of {id} has no modified date.", 502);
        }
        var record = $"{id}.v{new DateTimeOffset(date, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        var url = $"{_base}/resource/{id}";
        return new ResolveResult.Resolved(new ResolvedRepo(url, record, url, url, $"hydroshare-{record}", ""));
    }

    public async Task<ContentFailure?> FetchAsync(ContentSource source, string directory, Action<string> log, CancellationToken cancellationToken)
    {
        if (ResourceId(source.RepoUrl) is not { } id) return new ContentFailure($"'{source.RepoUrl}' names no Hydroshare resource.", 400);
        var what = $"Hydroshare resource {id}";
        log($"Fetching {what}.");
        Directory.CreateDirectory(directory);
        var bag = Path.Combine(directory, $".binder-bag-{Path.GetRandomFileName()}.zip");
        var downloads = new DownloadBudget(_client.Limits);
        if (await _client.DownloadAsync(new Uri($"{_base}/django_s3/download/bags/{id}.zip"), bag, what, downloads, cancellationToken).ConfigureAwait(false) is { } failure)
        {
            return failure;
        }
        if (!SafeZip.IsZip(bag))
        {
            return new ContentFailure($"{what}: the bag is not a zip archive (HydroShare may still be preparing it; try again in a minute).", ContentFailure.UpstreamStatus);
        }
        log($"Extracting {what}.");
        var unpacked = Path.Combine(directory, ".binder-unzip-" + Path.GetRandomFileName());
        try
        {
            if (SafeZip.Extract(bag, unpacked, _client.Limits, what) is { } unsafeBag) return unsafeBag;
            var contents = Path.Combine(unpacked, id, "data", "contents");
            if (!Directory.Exists(contents)) return new ContentFailure($"{what}: the bag has no {id}/data/contents folder.", ContentFailure.UpstreamStatus);
            foreach (var child in Directory.GetFileSystemEntries(contents))
            {
                var target = Path.Combine(directory, Path.GetFileName(child));
                if (Directory.Exists(child) && new DirectoryInfo(child).LinkTarget is null) Directory.Move(child, target);
                else File.Move(child, target);
            }
        }
        finally
        {
            File.Delete(bag);
            if (Directory.Exists(unpacked)) Directory.Delete(unpacked, recursive: true);
        }
        log($"Fetched files: {string.Join(", ", Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))}");
        return null;
    }

    private static string? ResourceId(string spec) => HexId().Match(spec) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>BinderHub's <c>.*([0-9a-f]{32}).*</c> (greedy: the last such run).</summary>
    [GeneratedRegex(".*([0-9a-f]{32}).*")]
    private static partial Regex HexId();
}
