using System.Net;
using System.Net.Sockets;

namespace BinderOrleans.Testing;

/// <summary>
/// An "inside" service the outbound guard must keep user fetches away from: a TCP listener on 127.0.0.3 (and, when the
/// machine has IPv6, on [::1] at the same port) that counts every connection it sees and answers each with
/// <see cref="Secret"/> as an HTTP body. <see cref="ClosedPort"/> is a port on 127.0.0.3 where nothing listens.
/// </summary>
public sealed class InsideListener : IDisposable
{
    public const string Secret = "inside-secret-4f1d0c";

    private readonly TcpListener _v4;
    private readonly TcpListener? _v6;
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public InsideListener()
    {
        _v4 = new TcpListener(LoopbackHostResolver.Inside, 0);
        _v4.Start();
        Port = ((IPEndPoint)_v4.LocalEndpoint).Port;
        _ = AcceptAsync(_v4);
        try
        {
            var v6 = new TcpListener(IPAddress.IPv6Loopback, Port);
            v6.Start();
            _v6 = v6;
            _ = AcceptAsync(v6);
        }
        catch (SocketException)
        {
            // No IPv6 loopback here, or the port is taken there: [::1] forms then reach nothing either way.
        }
        using var closed = new TcpListener(LoopbackHostResolver.Inside, 0);
        closed.Start();
        ClosedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
    }

    public int Port { get; }

    public int ClosedPort { get; }

    /// <summary>Connections seen so far (on either address).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The URL of <paramref name="path"/> on this listener with <paramref name="host"/> as written (e.g. <c>2130706435</c>).</summary>
    public Uri Url(string host, string path = "/x", bool closed = false) => new($"http://{host}:{(closed ? ClosedPort : Port)}{path}");

    /// <summary>The ways a URL can name 127.0.0.3 (and [::1]); every one must be refused.</summary>
    public static IReadOnlyList<string> HostForms { get; } =
        ["127.0.0.3", LoopbackHostResolver.InsideName, "2130706435", "0x7f000003", "[::1]", "[::ffff:127.0.0.3]"];

    private async Task AcceptAsync(TcpListener listener)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _connections);
                var body = System.Text.Encoding.ASCII.GetBytes(Secret);
                var head = System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                try
                {
                    await socket.SendAsync(head.Concat(body).ToArray(), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _v4.Stop();
        _v6?.Stop();
        _stop.Dispose();
    }
}
