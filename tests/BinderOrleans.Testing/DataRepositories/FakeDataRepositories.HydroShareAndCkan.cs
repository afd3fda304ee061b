using Microsoft.AspNetCore.Http;

namespace BinderOrleans.Testing.DataRepositories;

public sealed partial class FakeDataRepositories
{
    /// <summary><c>Providers:HydroShare:BaseUrl</c> for this fake.</summary>
    public string HydroShareBaseUrl => BaseUri + "hydroshare";

    /// <summary>A CKAN site under <c>/ckan</c> (a URL prefix, as some sites have).</summary>
    public string CkanSiteUrl => BaseUri + "ckan";

    /// <summary>
    /// A HydroShare resource: <c>/hydroshare/hsapi/resource/{id}/scimeta/elements</c> with its <c>dates</c>, and its BagIt zip
    /// at <c>/hydroshare/django_s3/download/bags/{id}.zip</c> (reached through a redirect, as HydroShare sends it to S3).
    /// </summary>
    public void AddHydroShareResource(string id, string modified, byte[] bag)
    {
        RouteJson($"/hydroshare/hsapi/resource/{id}/scimeta/elements", () => new
        {
            title = $"Resource {id}",
            creators = Array.Empty<object>(),
            dates = new object[]
            {
                new { type = "created", start_date = "2019-01-01T00:00:00.000000Z", end_date = (string?)null },
                new { type = "modified", start_date = modified, end_date = (string?)null },
            },
            language = "eng",
        });
        var s3 = AddFile($"{id}.zip", bag);
        AddRedirect($"/hydroshare/django_s3/download/bags/{id}.zip", s3.AbsolutePath);
    }

    /// <summary>
    /// A CKAN dataset: <c>/ckan/api/3/action/package_show?id={name}</c> (and <c>activity_data_show</c> for
    /// <paramref name="activityId"/>) with CKAN's <c>{help, success, result}</c> envelope; each resource's <c>url</c> served here.
    /// Unknown datasets answer CKAN's 404 <c>Not found</c> error.
    /// </summary>
    public void AddCkanDataset(string name, string modified, IReadOnlyList<(string FileName, byte[] Content)> resources, string? activityId = null)
    {
        object Package(string when) => new
        {
            help = $"{CkanSiteUrl}/api/3/action/help_show?name=package_show",
            success = true,
            result = new
            {
                id = Guid.NewGuid().ToString(),
                name,
                title = $"Dataset {name}",
                metadata_created = "2020-01-01T00:00:00.000000",
                metadata_modified = when,
                state = "active",
                resources = resources.Select(r => new { id = Guid.NewGuid().ToString(), name = r.FileName, url = AddFile(r.FileName, r.Content).ToString(), format = "TXT", size = r.Content.Length }).ToArray(),
            },
        };
        _ckan[$"package_show:{name}"] = Package(modified);
        if (activityId is not null) _ckan[$"activity_data_show:{activityId}"] = Package("2021-06-01T12:00:00.500000");
        Route("/ckan/api/3/action/package_show", c => Ckan(c, "package_show"));
        Route("/ckan/api/3/action/activity_data_show", c => Ckan(c, "activity_data_show"));
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> _ckan = new(StringComparer.Ordinal);

    private Task Ckan(HttpContext context, string action) =>
        _ckan.TryGetValue($"{action}:{context.Request.Query["id"]}", out var body)
            ? Results.Json(body).ExecuteAsync(context)
            : Results.Json(new { help = "", success = false, error = new { message = "Not found", __type = "Not Found Error" } }, statusCode: 404).ExecuteAsync(context);
}
