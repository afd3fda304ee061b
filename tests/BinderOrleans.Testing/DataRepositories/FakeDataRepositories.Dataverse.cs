using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Testing.DataRepositories;

public sealed partial class FakeDataRepositories
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _dataverse = new(StringComparer.Ordinal);

    /// <summary>
    /// A Dataverse dataset on this host (an installation at the root, as real ones are): landing page
    /// <c>/citation?persistentId=doi:{doi}</c>, <c>GET /api/datasets/:persistentId?persistentId=doi:{doi}</c> and
    /// <c>GET /api/datasets/{id}/versions/{major}.{minor}</c> with Dataverse's <c>{status, data}</c> envelope, and the files at
    /// <c>/api/access/datafile/{fileId}</c>. Files may sit in a folder (<c>directoryLabel</c>).
    /// </summary>
    public void AddDataverseDataset(string doi, int datasetId, (int Major, int Minor) version, IReadOnlyList<(string? Folder, string Name, byte[] Content)> files)
    {
        var (authority, identifier) = (doi[..doi.IndexOf('/', StringComparison.Ordinal)], doi[(doi.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        Route("/citation", c => Results.Content("<html>dataset</html>", "text/html").ExecuteAsync(c));
        var listed = files.Select((f, i) =>
        {
            var fileId = datasetId * 100 + i;
            _files[$"/api/access/datafile/{fileId}"] = f.Content;
            return new
            {
                description = "",
                label = f.Name,
                restricted = false,
                directoryLabel = f.Folder,
                version = 1,
                datasetVersionId = datasetId + 1,
                dataFile = new { id = fileId, persistentId = "", filename = f.Name, contentType = "text/plain", filesize = f.Content.Length, storageIdentifier = "s3://x", rootDataFileId = -1, md5 = "", checksum = new { type = "MD5", value = "" }, creationDate = "2024-01-01" },
            };
        }).ToArray();
        var latest = new
        {
            id = datasetId + 1,
            datasetId,
            datasetPersistentId = $"doi:{doi}",
            storageIdentifier = "s3://10.7910/x",
            versionNumber = version.Major,
            versionMinorNumber = version.Minor,
            versionState = "RELEASED",
            lastUpdateTime = "2024-01-01T00:00:00Z",
            files = listed,
        };
        _dataverse[$"doi:{doi}"] = new
        {
            status = "OK",
            data = new { id = datasetId, identifier, persistentUrl = $"https://doi.org/{doi}", protocol = "doi", authority, publisher = "Harvard Dataverse", storageIdentifier = "s3://x", latestVersion = latest },
        };
        RouteJson($"/api/datasets/{datasetId}/versions/{version.Major}.{version.Minor}", () => new { status = "OK", data = latest });
        Route("/api/datasets/:persistentId", c =>
            _dataverse.TryGetValue(c.Request.Query["persistentId"].ToString(), out var body)
                ? Results.Json(body).ExecuteAsync(c)
                : Results.Json(new { status = "ERROR", message = "Dataset with Persistent ID doi:x not found." }, statusCode: 404).ExecuteAsync(c));
    }
}
