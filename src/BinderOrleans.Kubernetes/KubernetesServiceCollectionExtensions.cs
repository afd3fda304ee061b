using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Kubernetes.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    public const string BackendName = "kubernetes";

    /// <summary>
    /// When <c>Build:Backend</c> is <c>kubernetes</c>: KubernetesClient on the build namespace (in-cluster or kubeconfig), build pods as the
    /// <see cref="IImageBuilder"/> (replacing any other backend's), the cleaner of finished and stale build pods, and the
    /// <c>Kubernetes API</c> health item. Settings: section <c>Kubernetes</c>, validated at start; <c>--push</c>
    /// follows <c>Registry:Enabled</c>.
    /// </summary>
    public static IServiceCollection AddKubernetesBackend(this IServiceCollection services, IConfiguration configuration)
    {
        if (!string.Equals(configuration[$"{BuildOptions.Section}:{nameof(BuildOptions.Backend)}"], BackendName, StringComparison.Ordinal))
        {
            return services;
        }

        services.AddOptions<KubernetesOptions>()
            .BindConfiguration(KubernetesOptions.Section)
            .PostConfigure(o => o.Push = configuration.GetValue<bool>("Registry:Enabled"))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(KubeEnvironment.System);
        services.TryAddSingleton(sp =>
        {
            var (connection, error) = KubeConnectionLoader.Load(
                sp.GetRequiredService<IOptions<KubernetesOptions>>().Value, sp.GetRequiredService<KubeEnvironment>(), sp.GetRequiredService<TimeProvider>());
            return connection ?? throw new InvalidOperationException(error);
        });
        services.TryAddSingleton<PodApi>();
        services.RemoveAll<IImageBuilder>();
        services.AddSingleton<IImageBuilder, KubernetesImageBuilder>();
        services.AddHostedService<BuildPodCleaner>();
        services.AddSingleton<IBinderHealthCheck, KubernetesHealthCheck>();
        return services;
    }
}
