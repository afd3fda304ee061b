namespace BinderOrleans.Core.Launches;

/// <summary>
/// The servers a launch backend is running now (JupyterHub users' servers, or the Docker launcher's containers),
/// counted by <see cref="LaunchQuota"/>.
/// </summary>
public interface IRunningServers
{
    /// <summary>Lists running and starting servers. Failure to list is a value (<see cref="RunningServerList.Error"/>).</summary>
    Task<RunningServerList> ListAsync(CancellationToken cancellationToken);
}

/// <summary>The image of every running server.</summary>
/// <param name="Images">One entry per server: its image with tag, or null when the backend does not know it.</param>
/// <param name="Error">Set when the servers could not be listed; <paramref name="Images"/> is then empty.</param>
public sealed record RunningServerList(IReadOnlyList<string?> Images, string? Error = null)
{
    public static RunningServerList Failed(string error) => new([], error);
}
