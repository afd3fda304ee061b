using BinderOrleans.Core.Health;
using BinderOrleans.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// With <c>Registry:Enabled</c>: the registry answers image lookups (replacing the local engine's) and adds the
    /// "Docker registry" health item. Call after the build backend, whose local lookup it replaces.
    /// </summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());
        if (!configuration.GetValue<bool>($"{RegistryOptions.Section}:{nameof(RegistryOptions.Enabled)}")) return services;

        services.AddHttpClient(RegistryClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("registry", (pipeline, context) => RegistryClient.AddRetries(pipeline,
                context.ServiceProvider.GetRequiredService<IOptions<RegistryOptions>>().Value,
                context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<RegistryClient>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RegistryOptions>>().Value;
            return RegistryEndpoint.Resolve(options, DockerConfigFile.Load(DockerConfigFile.ResolvePath(options.DockerConfig)));
        });
        services.TryAddSingleton<RegistryClient>();
        services.RemoveAll<IImageRegistry>();
        services.AddSingleton<IImageRegistry, RegistryImageRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBinderHealthCheck, RegistryHealthCheck>());
        return services;
    }
}
