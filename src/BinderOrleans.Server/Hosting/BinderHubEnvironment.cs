namespace BinderOrleans.Server.Hosting;

/// <summary>Maps BinderHub's environment variables onto our configuration keys, so operators' settings carry over.</summary>
internal static class BinderHubEnvironment
{
    private static readonly (string Variable, string Key)[] Map =
    [
        ("GITHUB_ACCESS_TOKEN", "Providers:GitHub:AccessToken"),
        ("GITHUB_CLIENT_ID", "Providers:GitHub:ClientId"),
        ("GITHUB_CLIENT_SECRET", "Providers:GitHub:ClientSecret"),
        ("GITLAB_ACCESS_TOKEN", "Providers:GitLab:AccessToken"),
        ("GITLAB_PRIVATE_TOKEN", "Providers:GitLab:PrivateToken"),
        ("JUPYTERHUB_API_TOKEN", "JupyterHub:ApiToken"),
        ("JUPYTERHUB_API_URL", "JupyterHub:ApiUrl"),
        ("JUPYTERHUB_ALLOW_NAMED_SERVERS", "JupyterHub:AllowNamedServers"),
        ("JUPYTERHUB_NAMED_SERVER_LIMIT_PER_USER", "JupyterHub:NamedServerLimitPerUser"),
        // What JupyterHub hands a service it runs (and what binderhub-service's chart sets).
        ("JUPYTERHUB_SERVICE_NAME", "JupyterHub:Auth:ServiceName"),
        ("JUPYTERHUB_CLIENT_ID", "JupyterHub:Auth:ClientId"),
        ("JUPYTERHUB_OAUTH_CALLBACK_URL", "JupyterHub:Auth:CallbackUrl"),
        ("JUPYTERHUB_SERVICE_PREFIX", "Binder:BaseUrl"),
        ("BINDERHUB_BUILD_TOKEN_SECRET", "Security:BuildTokenSecret"),
        ("DOCKER_HOST", "Docker:Host"),
        ("DOCKER_CONFIG", "Registry:DockerConfig"),
    ];

    /// <summary><c>JUPYTERHUB_OAUTH_ACCESS_SCOPES</c> (before JupyterHub 3.0 <c>JUPYTERHUB_OAUTH_SCOPES</c>): a JSON list.</summary>
    private static void AddAccessScopes(Dictionary<string, string?> values)
    {
        var json = Environment.GetEnvironmentVariable("JUPYTERHUB_OAUTH_ACCESS_SCOPES") is { Length: > 0 } access
            ? access
            : Environment.GetEnvironmentVariable("JUPYTERHUB_OAUTH_SCOPES");
        if (string.IsNullOrEmpty(json)) return;
        string[]? scopes;
        try
        {
            scopes = System.Text.Json.JsonSerializer.Deserialize<string[]>(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidOperationException($"JUPYTERHUB_OAUTH_ACCESS_SCOPES must be a JSON list of scopes: {ex.Message}", ex);
        }
        for (var i = 0; i < (scopes?.Length ?? 0); i++) values[$"JupyterHub:Auth:AccessScopes:{i}"] = scopes![i];
    }

    /// <summary>
    /// The <c>appsettings.json</c> shipped next to the program, below every other source: started from another
    /// directory (the content root is the working directory), the service still has its defaults, such as the log
    /// levels that keep the log to what an operator reads. Started from its own directory, the same file is read twice.
    /// </summary>
    public static IConfigurationBuilder AddAppSettingsDefaults(this IConfigurationBuilder configuration)
    {
        var shipped = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            ReloadOnChange = false,
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(AppContext.BaseDirectory),
        };
        configuration.Sources.Insert(0, shipped);
        return configuration;
    }

    /// <summary>Adds the variables that are set; explicit configuration keys (added later) still win.</summary>
    public static IConfigurationBuilder AddBinderHubEnvironment(this IConfigurationBuilder configuration)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (variable, key) in Map)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) values[key] = value;
        }
        AddAccessScopes(values);
        // JupyterHub's HubOAuth: the authorize URL is JUPYTERHUB_HOST (empty = same origin) + JUPYTERHUB_BASE_URL + hub/api/oauth2/authorize.
        if (Environment.GetEnvironmentVariable("JUPYTERHUB_BASE_URL") is { Length: > 0 } hubBase)
        {
            var host = (Environment.GetEnvironmentVariable("JUPYTERHUB_HOST") ?? "").TrimEnd('/');
            var prefix = hubBase.Trim('/');
            values["JupyterHub:Auth:AuthorizeUrl"] = host + (prefix.Length > 0 ? $"/{prefix}" : "") + "/hub/api/oauth2/authorize";
        }
        if (values.Count == 0) return configuration;
        // Insert before the other sources' overrides: appsettings < BinderHub env < our own env vars and command line.
        var sources = configuration.Sources;
        var memory = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = values };
        var index = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource);
        sources.Insert(index < 0 ? sources.Count : index, memory);
        return configuration;
    }
}
