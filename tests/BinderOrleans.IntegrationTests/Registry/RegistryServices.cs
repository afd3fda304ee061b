using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
using BinderOrleans.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>The registry services as the server registers them, on their own container.</summary>
internal static class RegistryServices
{
    /// <summary>Settings pointing at <paramref name="registry"/>, with its credentials unless told otherwise.</summary>
    public static Dictionary<string, string?> Settings(TestRegistry registry, bool withCredentials = true, string? password = null) => new()
    {
        ["Registry:Enabled"] = "true",
        ["Registry:Url"] = registry.Url.ToString(),
        ["Binder:ImagePrefix"] = $"{registry.Host}/binder/",
        // Never the machine's own ~/.docker/config.json.
        ["Registry:DockerConfig"] = Path.Combine(Path.GetTempPath(), "binder-test-no-docker-config-" + Guid.NewGuid().ToString("N")),
        ["Registry:RetryDelay"] = "00:00:00.200",
        ["Registry:Timeout"] = "00:00:05",
        ["Registry:Username"] = withCredentials && registry.Mode != RegistryAuthMode.None ? registry.Username : null,
        ["Registry:Password"] = withCredentials && registry.Mode != RegistryAuthMode.None ? password ?? registry.Password : null,
    };

    public static ServiceProvider Create(IDictionary<string, string?> settings, CapturingLoggerProvider? logs = null, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null) builder.AddProvider(logs);
        });
        services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section);
        if (time is not null) services.AddSingleton(time);
        services.AddRegistryOptions();
        if (BackendSelection.Bind(configuration).UsesRegistry)
        {
            services.AddRegistryImages().AddSingleton(sp => sp.GetRequiredKeyedService<IImageRegistry>(ImageSource.Registry));
        }
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
