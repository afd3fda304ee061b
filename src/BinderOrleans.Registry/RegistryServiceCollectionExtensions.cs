using BinderOrleans.Core.Health;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Options;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Launches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Hosting;

namespace BinderOrleans.Registry;

public static class RegistryServiceCollectionExtensions
{
    /// <summary>Binds and validates section <c>Registry</c> (its checks apply only with <c>Registry:Enabled</c>).</summary>
    public static IServiceCollection AddRegistryOptions(this IServiceCollection services)
    {
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>());
        return services;
    }

    /// <summary>
    /// <c>Registry:Enabled</c>: the registry client (with its retries), image lookups keyed
    /// <see cref="ImageSource.Registry"/> and the "Docker registry" health item.
    /// </summary>
    public static IServiceCollection AddRegistryImages(this IServiceCollection services)
    {
        services.AddRegistryOptions();
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
        services.AddKeyedSingleton<IImageRegistry, RegistryImageRegistry>(ImageSource.Registry);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBinderHealthCheck, RegistryHealthCheck>());
        return services;
    }

    /// <summary>
    /// <c>Registry:Retention</c>: the pass that deletes unused images from the registry (off unless a limit is set).
    /// Needs the silo (the cluster's image-use book) and <see cref="AddRegistryImages"/>.
    /// </summary>
    public static IServiceCollection AddRegistryRetention(this IServiceCollection services)
    {
        services.TryAddSingleton<RegistryCatalog>();
        services.TryAddSingleton<RegistryImageStore>();
        services.AddSingleton<IHostedService>(sp => new ImageRetention(sp.GetRequiredService<RegistryImageStore>(),
            sp.GetRequiredService<IOptions<RegistryOptions>>().Value.Retention, sp, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ImageRetention>>()));
        return services;
    }

    /// <summary>
    /// <c>Registry:Enabled</c>: the local engine pushes what the Docker builder built (<see cref="IImagePusher"/>) and
    /// pulls what a Docker launch lacks (<see cref="IImagePuller"/>), with the registry's credentials. Needs the Docker
    /// engine client (<c>AddDockerEngine</c>).
    /// </summary>
    public static IServiceCollection AddRegistryPushAndPull(this IServiceCollection services)
    {
        services.AddRegistryImages();
        services.TryAddSingleton<IImagePusher, RegistryImagePusher>();
        services.TryAddSingleton<IImagePuller, RegistryImagePuller>();
        return services;
    }
}
