using Orleans.Placement;

namespace BinderOrleans.Core.Launches;

/// <summary>
/// A server's home, in memory. Placed on the silo of its first caller, which is the replica that started the server:
/// the record lives as long as the replica it names, and is kept active until the server goes
/// (<see cref="KeepAliveAttribute"/>). A lookup of a name nobody set does not keep an activation.
/// </summary>
[PreferLocalPlacement]
[KeepAlive]
internal sealed class ServerLocationGrain : Grain, IServerLocationGrain
{
    private string? _replica;

    public ValueTask SetAsync(string replica)
    {
        _replica = replica;
        return ValueTask.CompletedTask;
    }

    public ValueTask<string?> GetAsync()
    {
        if (_replica is null) DeactivateOnIdle();
        return ValueTask.FromResult(_replica);
    }

    public ValueTask RemoveAsync()
    {
        _replica = null;
        DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }
}
