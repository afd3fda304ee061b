using System.Net;
using BinderOrleans.Core.Launches;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.Docker.Proxy;

/// <summary>
/// Which replica serves which server, cluster-wide (<see cref="IServerLocationGrain"/>, one per server name): the
/// replica that starts a server records its own front end there, and a replica asked for a server it does not have
/// forwards the request to that address. This replica's address is its HTTP endpoint as Kestrel bound it; a wildcard
/// host (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>) is replaced by the silo's advertised address (<c>Orleans:AdvertisedIP</c>),
/// which its peers reach.
/// </summary>
internal sealed partial class ServerLocations(IGrainFactory grains, IServer server, ILocalSiloDetails silo, ILogger<ServerLocations> logger)
{
    private string? _self;

    /// <summary>This replica's front end as its peers reach it; null when it listens on no plain HTTP address.</summary>
    internal string? Self => _self ??= OwnAddress();

    /// <summary>
    /// Records this replica as the home of <paramref name="name"/>. A cluster that does not answer is logged, not
    /// thrown: the server is still served here, and by any replica on the same engine.
    /// </summary>
    public async Task PublishAsync(string name, CancellationToken cancellationToken)
    {
        if (Self is not { } self) return;
        try
        {
            await grains.GetGrain<IServerLocationGrain>(name).SetAsync(self).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogPublishFailed(ex, name);
        }
    }

    /// <summary>Forgets <paramref name="name"/>'s home; a cluster that does not answer is logged, not thrown.</summary>
    public async Task WithdrawAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IServerLocationGrain>(name).RemoveAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogWithdrawFailed(ex, name);
        }
    }

    /// <summary>How long a lookup may wait for the cluster (a record on a replica that just died answers only when it is voted out).</summary>
    internal static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(5);

    /// <returns>
    /// The base URL of the other replica that serves <paramref name="name"/>; null when none does (or this one), or
    /// when the cluster does not answer in time (the caller then asks the engine).
    /// </returns>
    public async Task<string?> FindPeerAsync(string name, CancellationToken cancellationToken)
    {
        string? home;
        try
        {
            home = await grains.GetGrain<IServerLocationGrain>(name).GetAsync().AsTask().WaitAsync(LookupTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogLookupFailed(ex, name);
            return null;
        }
        return home is null || string.Equals(home, Self, StringComparison.Ordinal) ? null : home;
    }

    private string? OwnAddress()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            // Kestrel reports what it bound (a port of 0 resolved); "+" and "*" are not valid URI hosts.
            var text = address.Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp) continue;
            var host = uri.Host;
            if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
            {
                var advertised = silo.SiloAddress.Endpoint.Address;
                host = advertised.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{advertised}]" : advertised.ToString();
            }
            else if (uri.IsLoopback && !IPAddress.IsLoopback(silo.SiloAddress.Endpoint.Address))
            {
                // Listening on loopback only: peers on other machines cannot reach it; peers on this one can.
                LogLoopbackOnly(address);
            }
            return $"{uri.Scheme}://{host}:{uri.Port}";
        }
        LogNoAddress(string.Join(", ", addresses));
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record this replica as the home of server {Server}; other replicas find it only on a shared engine")]
    private partial void LogPublishFailed(Exception exception, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not forget the location of server {Server}")]
    private partial void LogWithdrawFailed(Exception exception, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster did not say where server {Server} runs; asking the engine")]
    private partial void LogLookupFailed(Exception exception, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This replica listens on no plain HTTP address ({Addresses}): other replicas cannot forward requests for its servers to it")]
    private partial void LogNoAddress(string addresses);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This replica listens on {Address} only: replicas on other machines cannot forward requests for its servers to it")]
    private partial void LogLoopbackOnly(string address);
}
