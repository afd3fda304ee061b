using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.Core.Providers;

public static class RepoProviderServiceCollectionExtensions
{
    /// <summary>Registers the repository providers (section <c>Providers</c>).</summary>
    public static IServiceCollection AddRepoProviders(this IServiceCollection services)
    {
        // Filled in by the providers work (git, gh).
        return services;
    }
}
