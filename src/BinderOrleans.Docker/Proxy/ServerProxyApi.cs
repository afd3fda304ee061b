using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Proxy;

/// <summary>The proxy's routes below <c>Binder:BaseUrl</c>: <c>user/{server}/…</c>.</summary>
public static class ServerProxyApi
{
    /// <summary>Maps the proxy when the Docker launcher runs with <c>Docker:Proxy</c>; does nothing otherwise.</summary>
    public static IEndpointRouteBuilder MapServerProxy(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints.ServiceProvider.GetService<ServerProxy>() is not { } proxy
            || !endpoints.ServiceProvider.GetRequiredService<IOptions<DockerOptions>>().Value.Proxy)
        {
            return endpoints;
        }
        // One route: with its catch-all empty it also matches the bare name, which the proxy sends below the base_url.
        endpoints.Map("/user/{name}/{**rest}", proxy.ForwardAsync).WithName("server-proxy").ExcludeFromDescription();
        return endpoints;
    }
}
