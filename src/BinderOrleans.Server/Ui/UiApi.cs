using System.Text.RegularExpressions;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.Server.Build;
using BinderOrleans.Server.Security;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Ui;

/// <summary>
/// The pages a person sees: <c>/</c> (link generator and launcher), <c>/v2/{provider}/{spec}</c> (loading page),
/// <c>/about</c>, the <c>/repo/…</c> legacy redirect, the badges, and the static assets from <c>wwwroot</c>.
/// </summary>
internal static partial class UiApi
{
    private const string LoadingPrefix = "/v2/";

    /// <summary>
    /// Serves <c>wwwroot</c> from the application's own folder, so the pages work whatever the working directory
    /// (tests, <c>dotnet run</c>, a published image).
    /// </summary>
    public static WebApplication UseUiStaticFiles(this WebApplication app)
    {
        var root = WebRoot(app);
        if (root is null) return app;
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }

    /// <param name="policy">Authorization policy every page needs (<c>Binder:AuthEnabled</c>: the hub login); null = anyone.</param>
    public static WebApplication MapUi(this WebApplication app, string? policy = null)
    {
        var pages = new List<IEndpointConventionBuilder>
        {
            app.MapGet("/", HomeAsync).WithName("home"),
            app.MapGet("/about", AboutAsync).WithName("about"),
            app.MapGet("/v2/{provider}/{**spec}", LoadingAsync).WithName("loading"),
            app.MapGet("/repo/{user}/{repo}/{**path}", (HttpContext context, string user, string repo, string? path) =>
                Results.Redirect(LegacyRepoRedirect.Location(PageShell.BaseUrl(context.Request), user, repo, path))),
        };

        if (WebRoot(app) is { } root)
        {
            // BinderHub's old badge address.
            var badge = Path.Combine(root, "badge.svg");
            app.MapGet("/assets/images/badge.svg", () => Results.File(badge, "image/svg+xml"));
        }
        pages.Add(app.MapFallback(NotFoundAsync));
        if (policy is not null)
        {
            foreach (var page in pages) page.RequireAuthorization(policy);
        }
        return app;
    }

    private static string? WebRoot(WebApplication app)
    {
        foreach (var candidate in new[] { Path.Combine(AppContext.BaseDirectory, "wwwroot"), app.Environment.WebRootPath })
        {
            if (!string.IsNullOrEmpty(candidate) && Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static Task HomeAsync(HttpContext context, RepoProviderRegistry providers, IOptions<SiteOptions> site) =>
        PageShell.WriteAsync(context, new UiPage("home", "Binder", new Dictionary<string, string>
        {
            ["ogTitle"] = "Binder",
            ["buildPanel"] = BuildPanel(),
        }, Scripts: ["static/js/home.js"], Stylesheets: ["lib/xterm/xterm.css"]), providers, site.Value);

    private static Task AboutAsync(HttpContext context, RepoProviderRegistry providers, IOptions<SiteOptions> site) =>
        PageShell.WriteAsync(context, new UiPage("about", "About Binder", new Dictionary<string, string> { ["ogTitle"] = "About Binder" }),
            providers, site.Value);

    private static Task LoadingAsync(HttpContext context, RepoProviderRegistry providers, IOptions<SiteOptions> site, BuildTokens tokens)
    {
        if (BuildStreamRequest.ParseTarget(context, LoadingPrefix) is not var (providerId, spec)
            || providers.Find(providerId) is not { } provider)
        {
            return NotFoundAsync(context, providers, site);
        }
        if (!SpecIsValid(provider.DisplayConfig.Spec.ValidateRegex, spec))
        {
            return ErrorAsync(context, providers, site, StatusCodes.Status400BadRequest, "400: Bad Request",
                $"Spec for this provider should match {provider.DisplayConfig.Spec.ValidateRegex}, provided: \"{spec}\".");
        }
        var display = provider.DisplayConfig.DisplayName;
        return PageShell.WriteAsync(context, new UiPage("loading", $"Binder: {display} {Uri.UnescapeDataString(spec)}",
            new Dictionary<string, string>
            {
                ["ogTitle"] = $"{display}: {spec}",
                ["providerName"] = display,
                ["specDisplay"] = Uri.UnescapeDataString(spec),
                ["buildPanel"] = BuildPanel(),
            },
            // As BinderHub's page: a short-lived token bound to this spec and origin, which spares the visitor the rate limit.
            Config: new Dictionary<string, string>
            {
                ["provider"] = providerId,
                ["spec"] = spec,
                ["buildToken"] = tokens.Mint(providerId, spec, BuildTokens.RequestOrigin(context.Request)),
            },
            Scripts: ["static/js/loading.js"], Stylesheets: ["lib/xterm/xterm.css"]), providers, site.Value);
    }

    private static Task NotFoundAsync(HttpContext context, RepoProviderRegistry providers, IOptions<SiteOptions> site) =>
        ErrorAsync(context, providers, site, StatusCodes.Status404NotFound, "404: Not Found",
            "There is nothing at this address. Check the link, or start from the home page.");

    private static Task ErrorAsync(HttpContext context, RepoProviderRegistry providers, IOptions<SiteOptions> site, int status,
        string title, string message) =>
        PageShell.WriteAsync(context, new UiPage("error", title, new Dictionary<string, string>
        {
            ["ogTitle"] = title,
            ["errorTitle"] = title,
            ["errorMessage"] = message,
        }, status), providers, site.Value);

    private static string BuildPanel() => HtmlTemplate.Render("build-panel", new Dictionary<string, string>());

    /// <summary>The provider's <c>spec.validateRegex</c> (a JavaScript pattern; the simple ones providers use read the same in .NET).</summary>
    internal static bool SpecIsValid(string pattern, string spec)
    {
        try
        {
            return Regex.IsMatch(spec, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(200));
        }
        catch (ArgumentException)
        {
            return true; // A pattern .NET cannot read is the provider's problem, not the visitor's.
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
