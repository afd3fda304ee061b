using BinderOrleans.Core.Outbound;
using BinderOrleans.Core.Providers.Git;
using Microsoft.Extensions.DependencyInjection;

namespace BinderOrleans.IntegrationTests.Providers;

/// <summary>The in-process ref lister as the service registers it: its HTTP connections go through <paramref name="guard"/>.</summary>
internal static class GuardedGitRefs
{
    public static IGitRefLister Create(OutboundGuard guard)
    {
        var services = new ServiceCollection();
        services.AddSingleton(guard);
        services.AddHttpClient(GitRefClient.HttpClientName).UseOutboundGuard();
        return new GitRefClient(services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>());
    }
}
