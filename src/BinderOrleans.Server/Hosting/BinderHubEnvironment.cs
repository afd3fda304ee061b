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
        ("BINDERHUB_BUILD_TOKEN_SECRET", "Security:BuildTokenSecret"),
        ("DOCKER_HOST", "Docker:Host"),
        ("DOCKER_CONFIG", "Registry:DockerConfig"),
    ];

    /// <summary>Adds the variables that are set; explicit configuration keys (added later) still win.</summary>
    public static IConfigurationBuilder AddBinderHubEnvironment(this IConfigurationBuilder configuration)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (variable, key) in Map)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value) values[key] = value;
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
