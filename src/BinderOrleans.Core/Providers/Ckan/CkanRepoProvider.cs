using System.Globalization;
using System.Text.Json;
using BinderOrleans.Core.Providers.Data;
using Microsoft.AspNetCore.WebUtilities;

namespace BinderOrleans.Core.Providers.Ckan;

/// <summary>
/// BinderHub's <c>CKANProvider</c> (<c>/build/ckan/&lt;URL-escaped dataset URL&gt;</c>, e.g.
/// <c>https%3A%2F%2Fdemo.ckan.org%2Fdataset%2Fsample</c>): the API sits at <c>{prefix}/api/3/action/</c> of the dataset
/// URL's site; <c>package_show?id={dataset}</c>, or <c>activity_data_show?id={activity}&amp;object_type=package</c> for a
/// <c>/history/{activity}</c> path or an <c>activity_id</c> query. Record <c>{dataset}.v{metadata_modified as Unix seconds}</c>,
/// slug <c>ckan-{dataset}</c>; repository URL and <c>binder_ref_url</c> the unescaped dataset URL.
/// As a content fetcher (repo2docker's CKAN provider): every resource with a <c>url</c> downloaded into the folder, named
/// after the URL's last segment (else the resource id).
/// </summary>
internal sealed class CkanRepoProvider(DataClient client) : IRepoProvider, IContentFetcher
{
    public string Id => "ckan";

    public string ProviderId => Id;

    public string Name => "CKAN";

    public ProviderDisplayConfig DisplayConfig { get; } = new()
    {
        DisplayName = "CKAN dataset",
        Id = "ckan",
        Spec = new("[^/]+"),
        Repo = new("CKAN dataset URL", "https://demo.ckan.org/dataset/my-sample-dataset-001", UrlEncode: true),
        Ref = new(Enabled: false),
    };

    public ResolveResult.Failed? CheckSpec(string spec) => Dataset.Parse(Uri.UnescapeDataString(spec)) is null
        ? new ResolveResult.Failed($"Spec is not a URL-escaped CKAN dataset URL (http(s)://<site>/dataset/<name>), provided: \"{spec}\".", 400)
        : null;

    public async Task<ResolveResult> ResolveAsync(string spec, CancellationToken cancellationToken)
    {
        if (CheckSpec(spec) is { } bad) return bad;
        var repo = Uri.UnescapeDataString(spec);
        var dataset = Dataset.Parse(repo)!;
        var (package, failure) = await PackageAsync(dataset, cancellationToken).ConfigureAwait(false);
        // A site the outbound guard refuses says so (403); otherwise, as in BinderHub, any error from the API means the ref could not be resolved.
        if (failure is { StatusCode: Outbound.OutboundRefusedException.StatusCode }) return ResolveResult.Error(Id, spec, failure.Message, failure.StatusCode);
        if (package is null) return ResolveResult.NotFound(Id, spec);
        using (package)
        {
            var modified = Json.String(package.RootElement, "result", "metadata_modified");
            if (modified is null || !DateTime.TryParseExact(modified, "yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
            {
                return ResolveResult.NotFound(Id, spec);
            }
            var record = $"{dataset.Name}.v{new DateTimeOffset(date, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
            // The persistent spec stays the escaped URL (BinderHub gives the bare URL, which cannot come back as one path segment).
            return new ResolveResult.Resolved(new ResolvedRepo(repo, record, repo, spec, $"ckan-{dataset.Name}", ""));
        }
    }

    public async Task<ContentFailure?> FetchAsync(ContentSource source, string directory, Action<string> log, CancellationToken cancellationToken)
    {
        if (Dataset.Parse(source.RepoUrl) is not { } dataset) return new ContentFailure($"'{source.RepoUrl}' is not a CKAN dataset URL.", 400);
        var what = $"CKAN dataset {dataset.Name}";
        log($"Fetching {what}.");
        var (package, failure) = await PackageAsync(dataset, cancellationToken).ConfigureAwait(false);
        if (package is null) return failure;
        var files = new List<RecordFile>();
        using (package)
        {
            if (Json.Path(package.RootElement, "result", "resources") is not { ValueKind: JsonValueKind.Array } resources)
            {
                return new ContentFailure($"{what} lists no resources.", ContentFailure.UpstreamStatus);
            }
            foreach (var resource in resources.EnumerateArray())
            {
                if (Json.Uri(resource, "url") is not { } url) continue;
                var last = url.Segments.Length > 0 ? Uri.UnescapeDataString(url.Segments[^1].TrimEnd('/')) : "";
                var name = last.Length > 0 ? last : Json.String(resource, "id") ?? "resource";
                files.Add(new RecordFile(name, url, Json.Long(resource, "size")));
            }
        }
        return await RecordDownload.FetchAsync(client, files, directory, what, unzipSingle: false, flatten: false, log, cancellationToken).ConfigureAwait(false);
    }

    private Task<(JsonDocument? Json, ContentFailure? Failure)> PackageAsync(Dataset dataset, CancellationToken cancellationToken)
    {
        var url = dataset.Activity is { } activity
            ? $"{dataset.Api}activity_data_show?id={Uri.EscapeDataString(activity)}&object_type=package"
            : $"{dataset.Api}package_show?id={Uri.EscapeDataString(dataset.Name)}";
        return client.GetJsonAsync(new Uri(url), $"CKAN dataset {dataset.Name}", cancellationToken);
    }

    /// <summary>A dataset URL taken apart as BinderHub does: the API root, the dataset, the activity if any.</summary>
    private sealed record Dataset(string Api, string Name, string? Activity)
    {
        public static Dataset? Parse(string repo)
        {
            if (!Uri.TryCreate(repo, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")) return null;
            var path = url.AbsolutePath;
            var at = path.IndexOf("/dataset/", StringComparison.Ordinal);
            if (at < 0) return null;
            var parts = path[(at + "/dataset/".Length)..].Split('/');
            if (parts[0].Length == 0) return null;
            var history = Array.IndexOf(parts, "history");
            var activity = history >= 0 && history + 1 < parts.Length && parts[history + 1].Length > 0
                ? parts[history + 1]
                : QueryHelpers.ParseQuery(url.Query).TryGetValue("activity_id", out var id) && id.Count > 0 ? id[0] : null;
            var api = $"{url.Scheme}://{url.Authority}{path[..at]}/api/3/action/";
            return new Dataset(api, Uri.UnescapeDataString(parts[0]), activity);
        }
    }
}
