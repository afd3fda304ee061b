using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Server.Hubs;

/// <summary>Registration and route of <see cref="BuildHub"/> (<c>/hubs/build</c>).</summary>
internal static class BuildHubApi
{
    public const string Path = "/hubs/build";

    /// <summary>
    /// SignalR with its JSON protocol set to the event serializer's options, and events written by the event
    /// serializer itself, so a stream item is the same JSON text as the SSE <c>data:</c> line (names, omitted nulls,
    /// escaping). Other payloads (the method's string arguments, errors) fall through to the reflection resolver.
    /// </summary>
    public static IServiceCollection AddBuildHub(this IServiceCollection services)
    {
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions = PayloadOptions());
        return services;
    }

    /// <param name="policy">Authorization policy the connection needs (<c>Binder:AuthEnabled</c>); null = anyone.</param>
    public static IEndpointRouteBuilder MapBuildHub(this IEndpointRouteBuilder app, string? policy = null)
    {
        var hub = app.MapHub<BuildHub>(Path);
        if (policy is not null) hub.RequireAuthorization(policy);
        return app;
    }

    internal static JsonSerializerOptions PayloadOptions()
    {
        var options = new JsonSerializerOptions(BinderEventJson.Options);
        options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        options.Converters.Add(new BinderEventWireConverter());
        return options;
    }
}
