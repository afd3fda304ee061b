using System.Net;
using System.Net.Sockets;

namespace BinderOrleans.Docker.Launches;

/// <summary>Free TCP ports, found by letting the kernel pick one and releasing it right away.</summary>
internal static class LoopbackPorts
{
    public static int FindFree(string address)
    {
        var ip = IPAddress.TryParse(address, out var parsed) ? parsed : IPAddress.Loopback;
        using var listener = new TcpListener(ip, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
