using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Docker;

public static class DockerServiceCollectionExtensions
{
    /// <summary>Docker engine client, image builder, local image lookup and launcher, as configured.</summary>
    public static IServiceCollection AddDockerBackend(this IServiceCollection services, IConfiguration configuration)
    {
        // Filled in by the Docker backend work.
        return services;
    }
}
