using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub.Auth;

/// <summary>Checks <see cref="HubAuthOptions"/> at start; every message names the key to fix.</summary>
internal sealed class HubAuthOptionsValidator : IValidateOptions<HubAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, HubAuthOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ServiceName)) errors.Add("JupyterHub:Auth:ServiceName (JUPYTERHUB_SERVICE_NAME) must name the hub service, e.g. binder.");
        if (!IsUrlOrPath(options.CallbackUrl))
        {
            errors.Add("JupyterHub:Auth:CallbackUrl (JUPYTERHUB_OAUTH_CALLBACK_URL) must be the service's oauth_redirect_uri: an http(s) URL or a path starting with /.");
        }
        if (!IsUrlOrPath(options.AuthorizeUrl)) errors.Add("JupyterHub:Auth:AuthorizeUrl must be an http(s) URL or a path starting with /, or unset.");
        if (options.TokenCacheDuration < TimeSpan.Zero) errors.Add("JupyterHub:Auth:TokenCacheDuration must not be negative.");
        if (string.IsNullOrWhiteSpace(options.CookieName)) errors.Add("JupyterHub:Auth:CookieName must not be empty.");
        for (var i = 0; i < options.RepoCredentials.Count; i++)
        {
            var rule = options.RepoCredentials[i];
            var key = $"JupyterHub:Auth:RepoCredentials:{i}";
            if (!Uri.TryCreate(rule.UrlPrefix, UriKind.Absolute, out var prefix) || prefix.Scheme is not ("http" or "https") || !rule.UrlPrefix.EndsWith('/')
                || prefix.UserInfo.Length > 0)
            {
                errors.Add($"{key}:UrlPrefix must be an http(s) URL ending in '/', such as https://github.com/ (a prefix without the '/' would match other hosts).");
            }
            if (string.IsNullOrWhiteSpace(rule.AuthStateKey)) errors.Add($"{key}:AuthStateKey must name the token's key in auth_state, e.g. access_token.");
            if (string.IsNullOrWhiteSpace(rule.Username) || rule.Username.Any(char.IsControl)) errors.Add($"{key}:Username must be a user name git can send, e.g. oauth2.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsUrlOrPath(string value) =>
        string.IsNullOrEmpty(value) || (value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal))
        || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https");
}
