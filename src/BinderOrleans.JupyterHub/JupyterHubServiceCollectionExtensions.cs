using BinderOrleans.Core.Health;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Launches;
using BinderOrleans.JupyterHub.Api;
using BinderOrleans.JupyterHub.Health;
using BinderOrleans.JupyterHub.Launches;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.JupyterHub;

public static class JupyterHubServiceCollectionExtensions
{
    /// <summary>
    /// <c>Launch:Backend</c> = jupyterhub: the hub API client, <see cref="JupyterHubLauncher"/> as the
    /// <see cref="ILauncher"/> keyed <see cref="LaunchBackend.JupyterHub"/>, the launch quota counting the hub's
    /// servers, and the <c>JupyterHub API</c> health item. Settings: section <c>JupyterHub</c>, validated at start.
    /// </summary>
    public static IServiceCollection AddJupyterHubLauncher(this IServiceCollection services)
    {
        services.AddOptions<JupyterHubOptions>().BindConfiguration(JupyterHubOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JupyterHubOptions>, JupyterHubOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JupyterHubApi>();
        services.AddKeyedSingleton<ILauncher, JupyterHubLauncher>(LaunchBackend.JupyterHub);
        services.AddLaunchQuota<JupyterHubRunningServers>();
        services.AddSingleton<IBinderHealthCheck, JupyterHubHealthCheck>();
        return services;
    }
}
