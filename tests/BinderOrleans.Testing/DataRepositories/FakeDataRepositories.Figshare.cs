namespace BinderOrleans.Testing.DataRepositories;

public sealed partial class FakeDataRepositories
{
    /// <summary><c>Providers:Figshare:ApiBaseUrl</c> for this fake.</summary>
    public string FigshareApiBaseUrl => BaseUri + "figshare/api/v2";

    /// <summary>
    /// A Figshare article with <paramref name="versions"/> versions, each holding <paramref name="files"/>: landing pages
    /// <c>/figshare/articles/dataset/{slug}/{id}[/{v}]</c>, <c>GET …/articles/{id}/versions</c> (a list of
    /// <c>{version, url}</c>) and <c>GET …/articles/{id}/versions/{v}</c> with <c>files[]</c> (<c>name</c>, <c>size</c>,
    /// <c>download_url</c>, <c>is_link_only</c>). Link-only files point nowhere reachable.
    /// </summary>
    public void AddFigshareArticle(string id, int versions, IReadOnlyList<(string Name, byte[] Content)> files, string? linkOnly = null)
    {
        var api = $"/figshare/api/v2/articles/{id}";
        Route($"/figshare/articles/dataset/data/{id}", c => Microsoft.AspNetCore.Http.Results.Content("<html>article</html>", "text/html").ExecuteAsync(c));
        RouteJson(api + "/versions", () => Enumerable.Range(1, versions)
            .Select(v => new { version = v, url = new Uri(BaseUri, $"{api}/versions/{v}").ToString() }).ToArray());
        for (var v = 1; v <= versions; v++)
        {
            var version = v;
            Route($"/figshare/articles/dataset/data/{id}/{v}", c => Microsoft.AspNetCore.Http.Results.Content("<html>article</html>", "text/html").ExecuteAsync(c));
            var listed = files.Select((f, i) => (object)new
            {
                id = 1000 + i,
                name = f.Name,
                size = f.Content.Length,
                is_link_only = false,
                download_url = AddFile(f.Name, f.Content).ToString(),
                supplied_md5 = "",
                computed_md5 = "",
                mimetype = "application/octet-stream",
            }).ToList();
            if (linkOnly is not null)
            {
                listed.Add(new { id = 2000, name = linkOnly, size = 0, is_link_only = true, download_url = "https://example.invalid/elsewhere", supplied_md5 = "", computed_md5 = "", mimetype = "" });
            }
            RouteJson($"{api}/versions/{v}", () => new
            {
                id = long.Parse(id, System.Globalization.CultureInfo.InvariantCulture),
                title = $"Article {id}",
                doi = $"10.6084/m9.figshare.{id}.v{version}",
                version,
                url = new Uri(BaseUri, $"{api}/versions/{version}").ToString(),
                files = listed,
                defined_type_name = "dataset",
            });
        }
    }
}
