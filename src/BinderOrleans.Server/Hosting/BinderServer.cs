using BinderOrleans.Core;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.Docker.Proxy;
using BinderOrleans.JupyterHub.Auth;
using BinderOrleans.Server.Build;
using BinderOrleans.Server.Cluster;
using BinderOrleans.Server.BuildLogs;
using BinderOrleans.Server.Cors;
using BinderOrleans.Server.Hubs;
using BinderOrleans.Server.Info;
using BinderOrleans.Server.Security;
using BinderOrleans.Server.Ui;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Server.Hosting;

/// <summary>Builds the web application; <c>Program</c> and the tests share it.</summary>
public static class BinderServer
{
    public const int DefaultPort = 8585;

    /// <param name="args">Command line (configuration overrides such as <c>--Build:BaseImage=…</c>).</param>
    /// <param name="configure">Tests add configuration or replace services here.</param>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddAppSettingsDefaults();
        builder.Configuration.AddBinderHubEnvironment();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{DefaultPort}");
        }

        builder.AddBinderSilo();
        builder.Services
            .AddBinderCore()
            .AddBinderSecurity()
            .AddInfoApi()
            .AddRepoProviders()
            .AddBackends(builder.Configuration)
            .AddBuildStreams()
            .AddBuildHub();
        var authEnabled = builder.Configuration.GetValue<bool>($"{SiteOptions.Section}:{nameof(SiteOptions.AuthEnabled)}");
        if (authEnabled) builder.Services.AddHubAuth();
        configure?.Invoke(builder);

        var app = builder.Build();
        var baseUrl = app.Configuration["Binder:BaseUrl"];
        if (!string.IsNullOrEmpty(baseUrl) && baseUrl != "/") app.UsePathBase(baseUrl.TrimEnd('/'));
        // Routing after the path base, so routes match below Binder:BaseUrl (the implicit UseRouting would run first).
        app.UseRouting();
        app.UseBinderCors();
        app.UseBinderSecurity();
        // API-only mode (BinderHub's enable_api_only_mode): no pages, no hub; the build logs stay, the events link to them.
        var apiOnly = app.Services.GetRequiredService<IOptions<SiteOptions>>().Value.EnableApiOnlyMode;
        if (!apiOnly) app.UseUiStaticFiles();
        if (authEnabled)
        {
            // After the static files (BinderHub serves its assets to everyone), before the endpoints.
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapHubLogout();
        }
        app.MapBuildApi();
        app.MapServerProxy();
        var apiPolicy = authEnabled ? HubAuthSchemes.ApiPolicy : null;
        if (!apiOnly) app.MapBuildHub(apiPolicy);
        app.MapInfoApi();
        app.MapBuildLogApi(apiPolicy);
        if (!apiOnly) app.MapUi(authEnabled ? HubAuthSchemes.PagePolicy : null);
        return app;
    }
}
