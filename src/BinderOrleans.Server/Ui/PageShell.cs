using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.JupyterHub.Auth;
using BinderOrleans.Server.Hubs;
using BinderOrleans.Server.Info;

namespace BinderOrleans.Server.Ui;

/// <summary>
/// Wraps a page in the site layout and sets <c>window.pageConfig</c> as BinderHub's shell does (<c>baseUrl</c>,
/// <c>badgeBaseUrl</c>, <c>repoProviders</c>, <c>binderVersion</c>) plus what our scripts need (<c>hubUrl</c>, <c>page</c>).
/// </summary>
internal static class PageShell
{
    /// <summary>Assets every page loads, below the base URL.</summary>
    private static readonly string[] SharedScripts = ["lib/signalr/signalr.min.js", "lib/xterm/xterm.js", "lib/xterm/addon-fit.js", "static/js/binder.js"];

    private static readonly JsonSerializerOptions ScriptJson = new()
    {
        // The default encoder escapes <, >, & and quotes, so the JSON is safe inside a <script> element.
        Encoder = JavaScriptEncoder.Default,
    };

    /// <summary>The base URL of every link: the path base with a trailing slash (BinderHub's normalised <c>base_url</c>).</summary>
    public static string BaseUrl(HttpRequest request) => (request.PathBase.Value ?? "").TrimEnd('/') + "/";

    public static JsonObject PageConfig(HttpContext context, UiPage page, RepoProviderRegistry providers, SiteOptions site)
    {
        var baseUrl = BaseUrl(context.Request);
        var config = new JsonObject
        {
            ["baseUrl"] = baseUrl,
            ["badgeBaseUrl"] = site.BadgeBaseUrl.Length > 0 ? site.BadgeBaseUrl : null,
            ["repoProviders"] = JsonSerializer.SerializeToNode(providers.Listed.Select(p => p.DisplayConfig).ToArray()),
            ["binderVersion"] = InfoApi.Version,
            ["hubUrl"] = BuildHubApi.Path.TrimStart('/'),
            ["page"] = page.Name,
        };
        if (HubClaims.UserName(context.User) is { } user) config["user"] = user;
        foreach (var (key, value) in page.Config ?? new Dictionary<string, string>()) config[key] = value;
        return config;
    }

    /// <summary>With the hub login (<c>Binder:AuthEnabled</c>): who is logged in, and the way out.</summary>
    private static string Account(HttpContext context, string baseUrl)
    {
        if (HubClaims.UserName(context.User) is not { } user) return "";
        var name = HtmlEncoder.Default.Encode(user);
        var logout = HtmlEncoder.Default.Encode(baseUrl + "logout");
        return $"      <span class=\"account\" data-user=\"{name}\">Logged in as <strong>{name}</strong></span>\n      <a class=\"logout\" href=\"{logout}\">Log out</a>\n";
    }

    public static async Task WriteAsync(HttpContext context, UiPage page, RepoProviderRegistry providers, SiteOptions site)
    {
        var baseUrl = BaseUrl(context.Request);
        var config = PageConfig(context, page, providers, site).ToJsonString(ScriptJson);

        var scripts = new StringBuilder();
        foreach (var src in SharedScripts.Concat(page.Scripts ?? []))
        {
            scripts.Append("<script src=\"").Append(HtmlEncoder.Default.Encode(baseUrl + src)).Append("\"></script>\n");
        }
        var styles = new StringBuilder();
        foreach (var href in page.Stylesheets ?? [])
        {
            styles.Append("<link rel=\"stylesheet\" href=\"").Append(HtmlEncoder.Default.Encode(baseUrl + href)).Append("\">\n");
        }

        var values = new Dictionary<string, string>(page.Values, StringComparer.Ordinal) { ["base"] = baseUrl, ["version"] = InfoApi.Version };
        var content = HtmlTemplate.Render(page.Name, values);
        var html = HtmlTemplate.Render("layout", new Dictionary<string, string>(values, StringComparer.Ordinal)
        {
            ["title"] = page.Title,
            ["page"] = page.Name,
            ["config"] = config,
            ["content"] = content,
            ["scripts"] = scripts.ToString(),
            ["styles"] = styles.ToString(),
            ["account"] = Account(context, baseUrl),
        });

        context.Response.StatusCode = page.StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }
}
