using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers;
using BinderOrleans.JupyterHub.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Auth;

public static class HubAuthServiceCollectionExtensions
{
    /// <summary>
    /// <c>Binder:AuthEnabled</c>: logging in through JupyterHub, as BinderHub's <c>auth_enabled</c>. Pages send anonymous
    /// visitors to the hub's OAuth authorize endpoint and keep the user in a cookie; APIs accept that cookie or a hub token
    /// in the Authorization header (<see cref="HubAuthSchemes.ApiPolicy"/>, 403 otherwise). Settings: <c>JupyterHub</c> and
    /// <c>JupyterHub:Auth</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddHubAuth(this IServiceCollection services)
    {
        services.AddOptions<JupyterHubOptions>().BindConfiguration(JupyterHubOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JupyterHubOptions>, JupyterHubOptionsValidator>());
        services.AddOptions<HubAuthOptions>().BindConfiguration(HubAuthOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubAuthOptions>, HubAuthOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HubIdentity>();
        // A logged-in user's own repository credentials (JupyterHub:Auth:RepoCredentials), from the hub's auth_state.
        services.TryAddSingleton<JupyterHubApi>();
        services.Replace(ServiceDescriptor.Singleton<IRepoCredentials, HubAuthStateCredentials>());

        services.AddAuthentication(HubAuthSchemes.Api)
            .AddCookie(HubAuthSchemes.Cookie)
            .AddOAuth<HubOAuthOptions, HubOAuthHandler>(HubAuthSchemes.OAuth, _ => { })
            .AddScheme<AuthenticationSchemeOptions, HubTokenHandler>(HubAuthSchemes.Token, null)
            .AddPolicyScheme(HubAuthSchemes.Page, null, o =>
            {
                o.ForwardDefaultSelector = TokenOrCookie;
                o.ForwardChallenge = HubAuthSchemes.OAuth;
                o.ForwardForbid = HubAuthSchemes.Token;
            })
            .AddPolicyScheme(HubAuthSchemes.Api, null, o =>
            {
                o.ForwardDefaultSelector = TokenOrCookie;
                o.ForwardChallenge = HubAuthSchemes.Token;
                o.ForwardForbid = HubAuthSchemes.Token;
            });

        services.AddOptions<CookieAuthenticationOptions>(HubAuthSchemes.Cookie)
            .Configure<IOptions<JupyterHubOptions>, IOptions<HubAuthOptions>, IOptions<SiteOptions>>((o, hub, auth, site) =>
            {
                o.Cookie.Name = auth.Value.CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.DataProtectionProvider = Protector(hub.Value, auth.Value);
                o.Events.OnValidatePrincipal = RevalidateAsync;
            });
        services.AddOptions<HubOAuthOptions>(HubAuthSchemes.OAuth)
            .Configure<IOptions<JupyterHubOptions>, IOptions<HubAuthOptions>, IOptions<SiteOptions>>((o, hub, auth, site) =>
                ConfigureOAuth(o, hub.Value, auth.Value, site.Value));

        services.AddAuthorizationBuilder()
            .AddPolicy(HubAuthSchemes.PagePolicy, p => p.AddAuthenticationSchemes(HubAuthSchemes.Page).RequireAuthenticatedUser())
            .AddPolicy(HubAuthSchemes.ApiPolicy, p => p.AddAuthenticationSchemes(HubAuthSchemes.Api).RequireAuthenticatedUser());
        return services;
    }

    /// <summary><c>GET {Binder:BaseUrl}logout</c>: forgets the login cookie and sends the browser on to the hub's logout.</summary>
    public static IEndpointRouteBuilder MapHubLogout(this IEndpointRouteBuilder app)
    {
        app.MapGet("/logout", async (HttpContext context, IOptions<JupyterHubOptions> hub) =>
        {
            await context.SignOutAsync(HubAuthSchemes.Cookie).ConfigureAwait(false);
            return Results.Redirect(new Uri(hub.Value.PublicUri, "hub/logout").AbsoluteUri);
        }).WithName("logout");
        return app;
    }

    /// <summary>The OAuth callback's path below <c>Binder:BaseUrl</c>, from the registered redirect URI.</summary>
    internal static string CallbackPath(string registered, string baseUrl)
    {
        var basePath = "/" + baseUrl.Trim('/');
        if (basePath == "/") basePath = "";
        var path = Uri.TryCreate(registered, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsolutePath : registered;
        var query = path.IndexOfAny(['?', '#']);
        if (query >= 0) path = path[..query];
        if (path.Length == 0) return "/oauth_callback";
        // A relative path is below the base URL.
        if (!path.StartsWith('/')) return "/" + path;
        return basePath.Length > 0 && path.StartsWith(basePath + "/", StringComparison.Ordinal) ? path[basePath.Length..] : path;
    }

    private static void ConfigureOAuth(HubOAuthOptions o, JupyterHubOptions hub, HubAuthOptions auth, SiteOptions site)
    {
        o.ClientId = auth.EffectiveClientId;
        o.ClientSecret = hub.ApiToken;
        o.AuthorizationEndpoint = auth.AuthorizeUrl.Length > 0 ? auth.AuthorizeUrl : new Uri(hub.PublicUri, "hub/api/oauth2/authorize").AbsoluteUri;
        o.TokenEndpoint = new Uri(hub.ApiUri, "oauth2/token").AbsoluteUri;
        o.UserInformationEndpoint = new Uri(hub.ApiUri, "user").AbsoluteUri;
        o.RegisteredRedirectUri = auth.CallbackUrl;
        o.CallbackPath = CallbackPath(auth.CallbackUrl.Length > 0 ? auth.CallbackUrl : "oauth_callback", site.BaseUrl);
        o.SignInScheme = HubAuthSchemes.Cookie;
        o.SaveTokens = true;
        o.UsePkce = false;
        o.DataProtectionProvider = Protector(hub, auth);
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.Events.OnRemoteFailure = async context =>
        {
            context.HandleResponse();
            var reason = context.Properties?.Items.TryGetValue(HubAuthSchemes.FailureItem, out var why) == true ? why : context.Failure?.Message;
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"403 Forbidden: logging in through the hub failed. {reason}", context.HttpContext.RequestAborted).ConfigureAwait(false);
        };
    }

    private static ShareableProtection Protector(JupyterHubOptions hub, HubAuthOptions auth) =>
        new(auth.CookieSecret.Length > 0 ? auth.CookieSecret : "jupyterhub-api-token:" + hub.ApiToken);

    /// <summary>The cookie holds the hub's token for this user: while the hub still accepts it, the login stands.</summary>
    private static async Task RevalidateAsync(CookieValidatePrincipalContext context)
    {
        var token = context.Properties.GetTokenValue("access_token");
        if (string.IsNullOrEmpty(token))
        {
            context.RejectPrincipal();
            return;
        }
        var identity = context.HttpContext.RequestServices.GetRequiredService<HubIdentity>();
        var check = await identity.CheckAsync(token, context.HttpContext.RequestAborted).ConfigureAwait(false);
        // An unreachable hub does not log anyone out; a hub that refuses the token does.
        if (check.User is null && !check.HubUnavailable)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(HubAuthSchemes.Cookie).ConfigureAwait(false);
        }
    }

    private static string TokenOrCookie(HttpContext context) =>
        HubTokenHandler.TokenOf(context.Request) is not null ? HubAuthSchemes.Token : HubAuthSchemes.Cookie;
}
