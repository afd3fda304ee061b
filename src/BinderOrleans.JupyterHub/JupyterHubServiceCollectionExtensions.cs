using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.JupyterHub;

public static class JupyterHubServiceCollectionExtensions
{
    /// <summary>JupyterHub launcher and quotas when <c>Launch:Backend</c> is <c>jupyterhub</c>.</summary>
    public static IServiceCollection AddJupyterHubBackend(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the JupyterHub work.
        return services;
    }
}
