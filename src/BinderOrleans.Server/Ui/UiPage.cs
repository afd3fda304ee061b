namespace BinderOrleans.Server.Ui;

/// <summary>One server-rendered page: its template, what goes into its head and <c>window.pageConfig</c>.</summary>
/// <param name="Name">Template name and the <c>pageConfig.page</c> value (<c>home</c>, <c>loading</c>, <c>about</c>, <c>error</c>).</param>
/// <param name="Title">The document title.</param>
/// <param name="Values">Holes of the page template.</param>
/// <param name="StatusCode">HTTP status of the response.</param>
/// <param name="Config">Extra <c>pageConfig</c> entries (serialized as JSON strings).</param>
/// <param name="Scripts">Script files below the base URL, in order, after the shared ones.</param>
/// <param name="Stylesheets">Extra stylesheets below the base URL.</param>
internal sealed record UiPage(
    string Name,
    string Title,
    IReadOnlyDictionary<string, string> Values,
    int StatusCode = StatusCodes.Status200OK,
    IReadOnlyDictionary<string, string>? Config = null,
    IReadOnlyList<string>? Scripts = null,
    IReadOnlyList<string>? Stylesheets = null);
