using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub;

/// <summary>Checks <see cref="JupyterHubOptions"/> at start; every message names the key to fix.</summary>
internal sealed class JupyterHubOptionsValidator : IValidateOptions<JupyterHubOptions>
{
    public ValidateOptionsResult Validate(string? name, JupyterHubOptions options)
    {
        var errors = new List<string>();
        if (!IsHttpUrl(options.Url))
        {
            errors.Add("JupyterHub:Url must be the hub's public http(s) URL, e.g. https://hub.example.org/ (Launch:Backend is jupyterhub).");
        }
        if (!string.IsNullOrWhiteSpace(options.ApiUrl) && !IsHttpUrl(options.ApiUrl))
        {
            errors.Add("JupyterHub:ApiUrl (JUPYTERHUB_API_URL) must be an http(s) URL such as http://hub:8081/hub/api/, or unset to use JupyterHub:Url + hub/api/.");
        }
        if (string.IsNullOrWhiteSpace(options.ApiToken))
        {
            errors.Add("JupyterHub:ApiToken (JUPYTERHUB_API_TOKEN) must be set to the API token of the hub service BinderOrleans runs as.");
        }
        if (options.Retries < 1) errors.Add("JupyterHub:Retries must be at least 1.");
        if (options.RetryDelay < TimeSpan.Zero) errors.Add("JupyterHub:RetryDelay must not be negative.");
        if (options.LaunchTimeout <= TimeSpan.Zero) errors.Add("JupyterHub:LaunchTimeout must be positive.");
        if (options.NamedServerLimitPerUser < 0) errors.Add("JupyterHub:NamedServerLimitPerUser must be 0 (no limit) or more.");
        if (options.AllowNamedServers && string.IsNullOrWhiteSpace(options.NamedServerUser))
        {
            errors.Add("JupyterHub:NamedServerUser must name a hub user when JupyterHub:AllowNamedServers is true.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
