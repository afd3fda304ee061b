using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace BinderOrleans.Docker.Proxy;

/// <summary>
/// Forwards <c>&lt;Binder:BaseUrl&gt;user/&lt;server&gt;/…</c> to the server's Jupyter as it came: path and query kept
/// (the server's <c>base_url</c> is that path), the client's <c>Host</c> kept (Jupyter compares a WebSocket's or an
/// API call's Origin with it), bodies streamed both ways with no size limit, WebSocket upgrades carried through. A name
/// no running server has answers 404 at once. A server another replica started is reached through that replica: the
/// request goes to its front end as it came, marked (<see cref="PeerHeader"/>) so that replica serves it or answers 404
/// and never passes it on again.
/// </summary>
internal sealed partial class ServerProxy : IDisposable
{
    /// <summary>How long a forwarded exchange may sit idle (a kernel's WebSocket pings every 30 s, so only a dead one hits this).</summary>
    internal static readonly TimeSpan ActivityTimeout = TimeSpan.FromMinutes(15);

    /// <summary>A server's address that does not answer within this is gone (a removed container's address answers nothing).</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Marks a request one replica forwarded to another; removed before the request reaches a server.</summary>
    internal const string PeerHeader = "X-BinderOrleans-Peer";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = ActivityTimeout };

    private readonly IHttpForwarder _forwarder;
    private readonly ServerRoutes _routes;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = ConnectTimeout,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    });

    public ServerProxy(IHttpForwarder forwarder, ServerRoutes routes, ILogger<ServerProxy> logger)
    {
        _forwarder = forwarder;
        _routes = routes;
        _logger = logger;
    }

    public async Task ForwardAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string;
        if (name is not null && context.Request.RouteValues["rest"] is null or "" && !context.Request.Path.Value!.EndsWith('/'))
        {
            // The bare name: Jupyter serves below its base_url only.
            context.Response.Redirect($"{context.Request.PathBase.Add(context.Request.Path).ToUriComponent()}/{context.Request.QueryString}");
            return;
        }
        // A peer's request was asked of the cluster there already; a client's header only costs it the peers.
        var askPeers = !context.Request.Headers.ContainsKey(PeerHeader);
        var route = name is null ? null : await _routes.FindAsync(name, askPeers, context.RequestAborted).ConfigureAwait(false);
        if (route is null)
        {
            await Results.Problem($"No server is running at this address: it was stopped, or culled after being idle. Launch it again.",
                statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        // Uploads go to the server whatever their size; the server applies its own limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize) bodySize.MaxRequestBodySize = null;

        var transformer = route.AtPeer ? ServerTransformer.ToPeer : ServerTransformer.ToServer;
        var error = await _forwarder.SendAsync(context, route.Target, _client, RequestConfig, transformer, context.RequestAborted)
            .ConfigureAwait(false);
        if (error is ForwarderError.None or ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled)
        {
            return;
        }
        LogForwardFailed(route.Name, route.Target, error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
        // The server did not answer at all: its container may be gone; the next request asks the engine again.
        if (error is ForwarderError.Request) _routes.Forget(route);
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Forwarding to server {Server} at {Target} failed: {Error}")]
    private partial void LogForwardFailed(string server, string target, ForwarderError error, Exception? exception);

    /// <summary>
    /// Copies the request as it came (Host included), with the full path below the path base, and the usual
    /// <c>X-Forwarded-*</c>; to a peer replica marked with <see cref="PeerHeader"/>, to a server without it.
    /// </summary>
    private sealed class ServerTransformer(bool toPeer) : HttpTransformer
    {
        public static readonly ServerTransformer ToServer = new(toPeer: false);
        public static readonly ServerTransformer ToPeer = new(toPeer: true);

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            var request = httpContext.Request;
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, request.PathBase.Add(request.Path), request.QueryString);
            // A proxy in front of this one said who the client is and how it came; otherwise this connection says.
            var headers = proxyRequest.Headers;
            var client = httpContext.Connection.RemoteIpAddress?.ToString();
            if (client is not null)
            {
                var forwardedFor = request.Headers["X-Forwarded-For"].ToString();
                headers.Remove("X-Forwarded-For");
                headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor.Length > 0 ? $"{forwardedFor}, {client}" : client);
            }
            if (!headers.Contains("X-Forwarded-Proto")) headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
            if (!headers.Contains("X-Forwarded-Host")) headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
            headers.Remove(PeerHeader);
            if (toPeer) headers.TryAddWithoutValidation(PeerHeader, "1");
        }
    }
}
