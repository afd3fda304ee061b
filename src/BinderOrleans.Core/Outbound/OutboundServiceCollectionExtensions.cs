using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Outbound;

public static class OutboundServiceCollectionExtensions
{
    /// <summary>
    /// The outbound guard (section <c>Security</c>: <c>AllowedTargetNetworks</c>, <c>BlockedTargetNetworks</c>, validated
    /// at start). Idempotent.
    /// </summary>
    public static IServiceCollection AddOutboundGuard(this IServiceCollection services)
    {
        services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboundOptions>, OutboundOptionsValidator>());
        services.TryAddSingleton<IHostResolver, SystemHostResolver>();
        services.TryAddSingleton<OutboundGuard>();
        return services;
    }

    /// <summary>
    /// Makes the named client's connections go through the guard: a <see cref="SocketsHttpHandler"/> whose
    /// <c>ConnectCallback</c> checks the address of every connection (redirects too), without a proxy (the guard must see
    /// the real target). <paramref name="allowAutoRedirect"/> as the client needs.
    /// </summary>
    public static IHttpClientBuilder UseOutboundGuard(this IHttpClientBuilder builder, bool allowAutoRedirect = true) =>
        builder.ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
        {
            AllowAutoRedirect = allowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
            ConnectCallback = sp.GetRequiredService<OutboundGuard>().ConnectAsync,
        });
}
