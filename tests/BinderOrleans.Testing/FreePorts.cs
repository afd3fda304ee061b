using System.Net;
using System.Net.Sockets;

namespace BinderOrleans.Testing;

/// <summary>
/// Ports for listeners that cannot take port 0 (an Orleans silo must know its port before it binds). Taken below
/// Linux's ephemeral range (32768+), where the OS hands out port-0 listeners and client sockets, from a random start
/// per process, each checked free on 127.0.0.1.
/// </summary>
public static class FreePorts
{
    private const int First = 12000;
    private const int Last = 32000;
    private static int _next = First + Random.Shared.Next(Last - First);

    public static int Next()
    {
        for (var tries = 0; tries < 200; tries++)
        {
            var port = First + (Interlocked.Increment(ref _next) - First) % (Last - First);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use; try the next.
            }
        }
        throw new InvalidOperationException("No free port found on 127.0.0.1.");
    }
}
