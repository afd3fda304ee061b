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
            var ids = await engine.NetworkIdsNamedAsync(Name, cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                var labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal) { [Label] = "servers" };
                await engine.CreateBridgeNetworkAsync(Name, labels, cancellationToken).ConfigureAwait(false);
                ids = await engine.NetworkIdsNamedAsync(Name, cancellationToken).ConfigureAwait(false);
            }
            if (ids.Count == 0) return $"the server network '{Name}' (Docker:ServerNetwork) was created but the engine does not list it.";
            // Replicas that made the network at the same moment made one each (the engine allowed it), and a server asked
            // to join that name would be refused as ambiguous. Every replica keeps the oldest, which is the one any
            // replica that looked first already uses, and removes the others, which nobody uses.
            foreach (var extra in ids.Skip(1)) await engine.RemoveNetworkQuietlyAsync(extra, cancellationToken).ConfigureAwait(false);
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
