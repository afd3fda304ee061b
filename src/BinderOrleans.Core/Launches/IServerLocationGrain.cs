namespace BinderOrleans.Core.Launches;

/// <summary>
/// Where a launched server is served from, keyed by the server's name: the front end of the replica that started it
/// (and routes to it). Another replica asked for that server forwards the request there. Unset for a name no running
/// server has.
/// </summary>
[Alias("binder.server-location")]
public interface IServerLocationGrain : IGrainWithStringKey
{
    /// <summary>Records <paramref name="replica"/> (the base URL of that replica's front end, as its peers reach it) as the server's home.</summary>
    [Alias("set")]
    ValueTask SetAsync(string replica);

    /// <returns>The replica's base URL; null when no replica serves this name.</returns>
    [Alias("get")]
    ValueTask<string?> GetAsync();

    /// <summary>Forgets the server (it was stopped or culled).</summary>
    [Alias("remove")]
    ValueTask RemoveAsync();
}
