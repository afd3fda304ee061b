using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Launches;
using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Proxy;

/// <summary>
/// The proxy's routes, server name → server. The launcher adds a server once it answers (and records this replica as
/// its home cluster-wide, <see cref="ServerLocations"/>); stopping or culling it removes both. A name not in the table is
/// asked of the cluster (a server another replica started: the request goes to that replica), then of the engine (a
/// server started before a restart, or by a replica gone since on the same engine): only a running container of ours
/// (launch label and every <c>Docker:Labels</c> label) that was started for the proxy is routed to.
/// </summary>
internal sealed partial class ServerRoutes(IDockerClient engine, IOptions<DockerOptions> options, ServerLocations? locations = null, TimeProvider? time = null)
{
    /// <summary>
    /// How long a peer's answer is reused: every request of a page (kernel calls, files) would otherwise ask the cluster
    /// again. Safe to keep that long: a server stopped meanwhile is answered 404 by its peer, which no longer routes it,
    /// and a peer that does not answer is forgotten at once.
    /// </summary>
    internal static readonly TimeSpan PeerRouteLifetime = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, ServerRoute> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ServerRoute Route, long Asked)> _peerRoutes = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly DockerOptions _options = options.Value;

    /// <summary>Names the launcher gives servers: the container's name.</summary>
    public static bool IsServerName(string name) => ServerNamePattern().IsMatch(name);

    public int Count => _routes.Count;

    /// <summary>Routes to a server this replica serves, and tells the cluster that it does.</summary>
    public async Task AddAsync(ServerRoute route, CancellationToken cancellationToken)
    {
        _routes[route.Name] = route;
        if (locations is null) return;
        try
        {
            await locations.PublishAsync(route.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The launch was cancelled: its server is removed, so is its route.
            Forget(route);
            throw;
        }
    }

    /// <summary>
    /// Removes the route of a container (its id, as in <c>ready</c>'s server field, or its name) here and in the
    /// cluster; <paramref name="name"/> is the container's name when the caller knows it.
    /// </summary>
    public async Task RemoveAsync(string containerIdOrName, string? name, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (name is not null) names.Add(name);
        if (_routes.TryRemove(containerIdOrName, out var byName)) names.Add(byName.Name);
        foreach (var route in _routes.Values)
        {
            if (string.Equals(route.ContainerId, containerIdOrName, StringComparison.Ordinal) && _routes.TryRemove(KeyValuePair.Create(route.Name, route)))
            {
                names.Add(route.Name);
            }
        }
        if (locations is null) return;
        foreach (var server in names) await locations.WithdrawAsync(server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops a route that no longer answers, so the next request asks the cluster and the engine again.</summary>
    public void Forget(ServerRoute route)
    {
        if (route.AtPeer) _peerRoutes.TryRemove(route.Name, out _);
        else _routes.TryRemove(KeyValuePair.Create(route.Name, route));
    }

    /// <param name="askPeers">False for a request another replica forwarded here: it asked the cluster already.</param>
    /// <returns>The route; null when no running server of ours has that name.</returns>
    public async ValueTask<ServerRoute?> FindAsync(string name, bool askPeers, CancellationToken cancellationToken)
    {
        if (_routes.TryGetValue(name, out var route)) return route;
        if (!IsServerName(name)) return null;
        // Kept briefly only (PeerRouteLifetime): the peer's route goes when its server does, and only the peer hears of that.
        if (askPeers && locations is not null)
        {
            if (_peerRoutes.TryGetValue(name, out var known) && _time.GetElapsedTime(known.Asked) < PeerRouteLifetime) return known.Route;
            if (await locations.FindPeerAsync(name, cancellationToken).ConfigureAwait(false) is { } peer)
            {
                var atPeer = new ServerRoute(name, "", peer, AtPeer: true);
                _peerRoutes[name] = (atPeer, _time.GetTimestamp());
                return atPeer;
            }
            _peerRoutes.TryRemove(name, out _);
        }
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
