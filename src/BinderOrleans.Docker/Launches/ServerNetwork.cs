using BinderOrleans.Docker.Engine;
using Docker.DotNet;

namespace BinderOrleans.Docker.Launches;

/// <summary>
/// The network launched servers join (<c>Docker:ServerNetwork</c>): made once, as a plain bridge network carrying
/// <c>Docker:Labels</c>, when the engine does not have it yet. An engine that cannot make one (no bridge support, a
/// rootless engine without slirp) fails the launch with a message naming the key, rather than falling back to the
/// host's network silently.
/// </summary>
internal sealed class ServerNetwork(IDockerClient engine, DockerOptions options)
{
    public const string Label = "binderorleans.network";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _ready;

    public string Name => options.ServerNetwork;

    /// <summary>True when servers run in the host's network (no isolation).</summary>
    public bool IsHost => string.Equals(Name, DockerOptions.HostNetwork, StringComparison.Ordinal);

    /// <summary>Null when the network is there (or not needed); else a message for the user.</summary>
    public async Task<string?> EnsureAsync(CancellationToken cancellationToken)
    {
        if (IsHost || Volatile.Read(ref _ready)) return null;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready) return null;
            if (!await engine.NetworkExistsAsync(Name, cancellationToken).ConfigureAwait(false))
            {
                var labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal) { [Label] = "servers" };
                await engine.CreateBridgeNetworkAsync(Name, labels, cancellationToken).ConfigureAwait(false);
            }
            Volatile.Write(ref _ready, true);
            return null;
        }
        catch (DockerEngineException ex)
        {
            return $"cannot use the server network '{Name}' (Docker:ServerNetwork): {ex.Message}. "
                + "Create it (a bridge network), or set Docker:ServerNetwork to host.";
        }
        finally
        {
            _gate.Release();
        }
    }
}
