using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace BinderOrleans.Testing;

/// <summary>
/// A byte relay on 127.0.0.1 in front of a loopback server, for tests that need a real dropped connection: every
/// connection the relay carries can be cut at once (<see cref="DropAll"/>) while new ones are still accepted, as when
/// a proxy or a Wi-Fi network drops a browser's WebSocket.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, (Socket Client, Socket Upstream)> _open = new();
    private readonly Task _accepting;
    private int _next;
    private int _accepted;

    public TcpRelay(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Resets every connection open now (RST, no orderly close) and returns how many there were.</summary>
    public int DropAll()
    {
        var dropped = 0;
        foreach (var (key, pair) in _open)
        {
            if (!_open.TryRemove(key, out _)) continue;
            Reset(pair.Client);
            Reset(pair.Upstream);
            dropped++;
        }
        return dropped;
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        var key = Interlocked.Increment(ref _next);
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token).ConfigureAwait(false);
            _open[key] = (client.Client, upstream.Client);
            var toServer = client.GetStream().CopyToAsync(upstream.GetStream(), _stopping.Token);
            var toClient = upstream.GetStream().CopyToAsync(client.GetStream(), _stopping.Token);
            await Task.WhenAny(toServer, toClient).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _open.TryRemove(key, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        DropAll();
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
