using BinderOrleans.Core.Ports;
using BinderOrleans.Registry;
using BinderOrleans.Docker.Building;
using BinderOrleans.Docker.Launching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Docker.Registry;

public static class DockerRegistryServiceCollectionExtensions
{
    /// <summary>
    /// With <c>Registry:Enabled</c>: the Docker builder pushes what it builds, and the Docker launcher pulls what the
    /// local engine lacks. Other backends are left alone. Call after <c>AddDockerBackend</c> and <c>AddRegistry</c>.
    /// </summary>
    public static IServiceCollection AddDockerRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>($"{RegistryOptions.Section}:{nameof(RegistryOptions.Enabled)}")) return services;

        if (services.LastOrDefault(d => d.ServiceType == typeof(IImageBuilder)) is { ImplementationType: { } builderType } builder
            && (builderType == typeof(DockerImageBuilder) || builderType == typeof(Repo2DockerImageBuilder)))
        {
            // Both Docker builders leave the image in the local engine; the pusher takes it from there.
            services.Remove(builder);
            services.TryAdd(ServiceDescriptor.Singleton(builderType, builderType));
            services.TryAddSingleton<RegistryImagePusher>();
            services.AddSingleton<IImageBuilder>(sp =>
                new PushingImageBuilder((IImageBuilder)sp.GetRequiredService(builderType), sp.GetRequiredService<RegistryImagePusher>()));
        }
        if (services.LastOrDefault(d => d.ServiceType == typeof(ILauncher)) is { ImplementationType: { } launcherType }
            && launcherType == typeof(DockerLauncher))
        {
            services.TryAddSingleton<IImagePuller, RegistryImagePuller>();
        }
        return services;
    }
}
