using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Builds;
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
    /// <summary>
    /// <c>Build:Backend</c> = kubernetes: KubernetesClient on the build namespace (in-cluster or kubeconfig), build pods
    /// (repo2docker's, or the service image's <c>build</c> command with <c>Kubernetes:Builder=buildpacks</c>) as the <see cref="IImageBuilder"/> keyed <see cref="BuildBackend.Kubernetes"/>, the cleaner of finished and stale
    /// build pods, and the <c>Kubernetes API</c> health item. Settings: section <c>Kubernetes</c>, validated at start;
    /// <c>--push</c> when <paramref name="push"/> (<c>Registry:Enabled</c>).
    /// </summary>
    public static IServiceCollection AddKubernetesImageBuilder(this IServiceCollection services, bool push)
    {
        services.AddOptions<KubernetesOptions>()
            .BindConfiguration(KubernetesOptions.Section)
            .PostConfigure(o => o.Push = push)
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<KubernetesOptions>>(sp => new PostConfigureOptions<KubernetesOptions>(
            Options.DefaultName, o => o.BuilderSettings = BuilderSettings.From(sp.GetService<IConfiguration>())));
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
        services.AddKeyedSingleton<IImageBuilder, KubernetesImageBuilder>(BuildBackend.Kubernetes);
        services.AddHostedService<BuildPodCleaner>();
        services.AddSingleton<IBinderHealthCheck, KubernetesHealthCheck>();
        return services;
    }
}
