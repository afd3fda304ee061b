using BinderOrleans.Core.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Core.Launches;

public static class QuotaServiceCollectionExtensions
{
    /// <summary>
    /// Makes <see cref="LaunchQuota"/> the <see cref="ILaunchQuota"/>, counting servers with
    /// <typeparamref name="TRunningServers"/>, and adds the informational <c>Pod quota</c> health item; binds and validates
    /// <c>Quota</c>. The launch backend in use calls this (the last call wins).
    /// </summary>
    public static IServiceCollection AddLaunchQuota<TRunningServers>(this IServiceCollection services)
        where TRunningServers : class, IRunningServers
    {
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.Section)
            .Validate(o => o.Total is null or >= 0, "Quota:Total must be 0 or more (0 = no launches); leave it unset for no total quota.")
            .ValidateOnStart();
        services.RemoveAll<IRunningServers>();
        services.AddSingleton<IRunningServers, TRunningServers>();
        services.RemoveAll<ILaunchQuota>();
        services.AddSingleton<ILaunchQuota, LaunchQuota>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBinderHealthCheck, LaunchQuotaHealthCheck>());
        return services;
    }
}
