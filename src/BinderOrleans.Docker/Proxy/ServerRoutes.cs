using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Proxy;

/// <summary>
/// The proxy's routes, server name → server. The launcher adds a server once it answers; stopping or culling it removes
/// it. A name not in the table is looked up in the engine once (a server started before a restart, or by another
/// replica on the same engine): only a running container of ours (launch label and every <c>Docker:Labels</c> label)
/// that was started for the proxy is routed to.
/// </summary>
internal sealed partial class ServerRoutes(IDockerClient engine, IOptions<DockerOptions> options)
{
    private readonly ConcurrentDictionary<string, ServerRoute> _routes = new(StringComparer.Ordinal);
    private readonly DockerOptions _options = options.Value;

    /// <summary>Names the launcher gives servers: the container's name.</summary>
    public static bool IsServerName(string name) => ServerNamePattern().IsMatch(name);

    public int Count => _routes.Count;

    public void Add(ServerRoute route) => _routes[route.Name] = route;

    /// <summary>Removes the route of a container (its id, as in <c>ready</c>'s server field, or its name).</summary>
    public void Remove(string containerIdOrName)
    {
        if (_routes.TryRemove(containerIdOrName, out _)) return;
        foreach (var route in _routes.Values)
        {
            if (string.Equals(route.ContainerId, containerIdOrName, StringComparison.Ordinal)) _routes.TryRemove(KeyValuePair.Create(route.Name, route));
        }
    }

    /// <summary>Drops a route that no longer answers, so the next request asks the engine again.</summary>
    public void Forget(ServerRoute route) => _routes.TryRemove(KeyValuePair.Create(route.Name, route));

    /// <returns>The route; null when no running server of ours has that name.</returns>
    public async ValueTask<ServerRoute?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (_routes.TryGetValue(name, out var route)) return route;
        if (!IsServerName(name)) return null;
        try
        {
            var container = await engine.FindContainerAsync(name, cancellationToken).ConfigureAwait(false);
            var labels = container?.Config?.Labels;
            if (container?.State is not { Running: true } || DockerLabels.Get(labels, DockerLabels.Launch) is null
                || DockerLabels.Get(labels, DockerLabels.LaunchPath) is null
                || _options.Labels.Any(l => DockerLabels.Get(labels, l.Key) != l.Value)
                || ServerAddress.Of(container, _options) is not { } address)
            {
                return null;
            }
            route = new ServerRoute(name, container.ID, address.GetLeftPart(UriPartial.Authority));
            return _routes.GetOrAdd(name, route);
        }
        catch (DockerEngineException)
        {
            return null;
        }
    }

    [GeneratedRegex("^binder-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerNamePattern();
}
