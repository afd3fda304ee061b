namespace BinderOrleans.Testing.DataRepositories;

public sealed partial class FakeDataRepositories
{
    /// <summary><c>Providers:Zenodo:BaseUrl</c> for this fake.</summary>
    public string ZenodoBaseUrl => BaseUri + "zenodo";

    /// <summary>
    /// A Zenodo record: landing page <c>/zenodo/records/{id}</c>, <c>GET /zenodo/api/records/{id}</c> with InvenioRDM's
    /// shape, its <c>links.files</c> listing with <c>entries</c>, and each file at <c>links.content</c>.
    /// <paramref name="declaredSizes"/> replaces the sizes the listing claims (a record that lies about its size).
    /// </summary>
    public void AddZenodoRecord(string recordId, string doi, IReadOnlyList<(string Key, byte[] Content)> files, long[]? declaredSizes = null)
    {
        var api = $"/zenodo/api/records/{recordId}";
        Route($"/zenodo/records/{recordId}", c => Microsoft.AspNetCore.Http.Results.Content($"<html><body>Record {recordId}</body></html>", "text/html").ExecuteAsync(c));
        RouteJson(api, () => new
        {
            id = recordId,
            recid = recordId,
            doi,
            created = "2024-05-01T10:00:00.000000+00:00",
            metadata = new { title = $"Record {recordId}", resource_type = new { id = "software" }, publication_date = "2024-05-01" },
            files = new { enabled = true, count = files.Count },
            links = new
            {
                self = new Uri(BaseUri, api).ToString(),
                self_html = new Uri(BaseUri, $"/zenodo/records/{recordId}").ToString(),
                files = new Uri(BaseUri, api + "/files").ToString(),
            },
        });
        var entries = files.Select((f, i) =>
        {
            var content = new Uri(BaseUri, $"{api}/files/{Uri.EscapeDataString(f.Key)}/content");
            _files[content.AbsolutePath] = f.Content;
            if (ElsewhereFiles.TryGetValue(f.Key, out var elsewhere)) content = elsewhere;
            return new
            {
                key = f.Key,
                size = declaredSizes?[i] ?? f.Content.Length,
                checksum = "md5:" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(f.Content)),
                mimetype = "application/octet-stream",
                status = "completed",
                links = new { self = new Uri(BaseUri, $"{api}/files/{Uri.EscapeDataString(f.Key)}").ToString(), content = content.ToString() },
            };
        }).ToArray();
        RouteJson(api + "/files", () => new { enabled = true, entries, links = new { self = new Uri(BaseUri, api + "/files").ToString() } });
    }
}
