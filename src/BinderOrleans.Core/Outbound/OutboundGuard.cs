using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Outbound;

/// <summary>
/// The one outbound guard every fetch made for a user goes through. It resolves the name itself and checks every address
/// against <see cref="OutboundPolicy"/>; callers then connect only to the addresses it returned, so a name cannot be
/// switched to another address between the check and the connection (DNS rebinding). .NET clients use
/// <see cref="ConnectAsync"/> as <see cref="SocketsHttpHandler.ConnectCallback"/>, which runs for every new connection,
/// redirects included; git gets the checked address pinned (<c>Providers/Git/GitPin</c>). Endpoints the operator
/// configured (<see cref="OutboundOptions.OperatorEndpoints"/>) are not checked.
/// </summary>
internal sealed partial class OutboundGuard
{
    private readonly OutboundPolicy _policy;
    private readonly HashSet<OutboundEndpoint> _operatorEndpoints;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Func<EndPoint, CancellationToken, ValueTask<Stream>> _connect;
    private readonly ILogger _logger;

    public OutboundGuard(IOptions<OutboundOptions> options, IHostResolver resolver, ILogger<OutboundGuard> logger)
        : this(options.Value, new OutboundPolicy(options.Value), resolver.ResolveAsync, ConnectSocketAsync, logger)
    {
    }

    /// <param name="options">Operator endpoints.</param>
    /// <param name="policy">The decision.</param>
    /// <param name="resolve">Name resolution (tests give names their own answers).</param>
    /// <param name="connect">Opens the connection to a checked address (tests record instead of connecting).</param>
    /// <param name="logger">Refusals are logged with the address, for the operator only.</param>
    internal OutboundGuard(OutboundOptions options, OutboundPolicy policy, Func<string, CancellationToken, Task<IPAddress[]>> resolve,
        Func<EndPoint, CancellationToken, ValueTask<Stream>> connect, ILogger logger)
    {
        _policy = policy;
        _operatorEndpoints = [.. options.OperatorEndpoints];
        _resolve = resolve;
        _connect = connect;
        _logger = logger;
    }

    /// <summary>True when <paramref name="host"/>:<paramref name="port"/> is an endpoint the operator configured.</summary>
    public bool IsOperatorEndpoint(string host, int port) => _operatorEndpoints.Contains(OutboundEndpoint.Of(host, port));

    /// <summary>
    /// Resolves <paramref name="host"/> and checks every address it has: all must be allowed, else
    /// <see cref="OutboundRefusedException"/>. A name that does not resolve throws <see cref="SocketException"/> as a
    /// connection would. Literal addresses (also decimal or hex IPv4 such as <c>2130706433</c>) are checked as they are.
    /// </summary>
    public async Task<OutboundTarget> ResolveAsync(string host, int port, CancellationToken cancellationToken)
    {
        if (IsOperatorEndpoint(host, port)) return new OutboundTarget(host, [], OperatorEndpoint: true);
        var bare = host.Trim('[', ']');
        IPAddress[] addresses = IPAddress.TryParse(bare, out var literal)
            ? [literal]
            : await _resolve(bare, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        foreach (var address in addresses)
        {
            if (!_policy.IsAllowed(address))
            {
                LogRefused(host, port, address);
                throw new OutboundRefusedException(host);
            }
        }
        return new OutboundTarget(host, addresses, OperatorEndpoint: false);
    }

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: checks the host of every new connection (so every redirect) and
    /// connects to the addresses checked, in order, never by name. Operator endpoints connect by name.
    /// </summary>
    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context.DnsEndPoint, cancellationToken);

    /// <summary>Opens a connection to <paramref name="endpoint"/> as <see cref="ConnectAsync(SocketsHttpConnectionContext, CancellationToken)"/> does.</summary>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var target = await ResolveAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
        if (target.OperatorEndpoint) return await _connect(endpoint, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (var address in target.Addresses)
        {
            try
            {
                return await _connect(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }
        throw last!;
    }

    private static async ValueTask<Stream> ConnectSocketAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a user fetch to {Host}:{Port} ({Address}): not an allowed target (Security:AllowedTargetNetworks)")]
    private partial void LogRefused(string host, int port, IPAddress address);
}
