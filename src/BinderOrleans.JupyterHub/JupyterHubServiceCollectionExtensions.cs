using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Quota;
using BinderOrleans.JupyterHub.Api;
using BinderOrleans.JupyterHub.Health;
using BinderOrleans.JupyterHub.Launch;
using BinderOrleans.JupyterHub.Quota;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub;

public static class JupyterHubServiceCollectionExtensions
{
    /// <summary>
    /// When <c>Launch:Backend</c> is <c>jupyterhub</c>: the hub API client, <see cref="JupyterHubLauncher"/> as the
    /// <see cref="ILauncher"/> (replacing any other backend's), the launch quota counting the hub's servers, and the
    /// <c>JupyterHub API</c> health item. Settings: section <c>JupyterHub</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddJupyterHubBackend(this IServiceCollection services, IConfiguration configuration)
    {
        if (!string.Equals(configuration[$"{LaunchOptions.Section}:{nameof(LaunchOptions.Backend)}"], "jupyterhub", StringComparison.OrdinalIgnoreCase))
        {
            return services;
        }

        services.AddOptions<JupyterHubOptions>().BindConfiguration(JupyterHubOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JupyterHubOptions>, JupyterHubOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JupyterHubApi>();
        // The Docker backend registers its launcher first; the configured backend wins.
        services.RemoveAll<ILauncher>();
        services.AddSingleton<ILauncher, JupyterHubLauncher>();
        services.AddLaunchQuota<JupyterHubRunningServers>();
        services.AddSingleton<IBinderHealthCheck, JupyterHubHealthCheck>();
        return services;
    }
}
