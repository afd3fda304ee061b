using System.Net;
using System.Net.Sockets;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>Free loopback ports for one test hub: public (CHP), hub itself, CHP's API.</summary>
internal sealed record HubPorts(int Public, int Hub, int ProxyApi)
{
    public static HubPorts Pick()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var l in listeners) l.Start();
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
            return new HubPorts(ports[0], ports[1], ports[2]);
        }
        finally
        {
            foreach (var l in listeners) l.Stop();
        }
    }
}
