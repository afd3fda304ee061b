using BinderOrleans.Core.Streaming;

namespace BinderOrleans.Core.Builds;

/// <summary>
/// Where the logs of finished builds are kept, so a build can be read after its stream is gone (BinderHub #155, #1156).
/// The default keeps files on local disk (<see cref="FileSystemBuildLogStore"/>); a cluster may plug in a shared one.
/// </summary>
public interface IBuildLogStore
{
    /// <summary>Keeps the whole log of one build under <paramref name="id"/> (a <see cref="BuildLogIds"/> value).</summary>
    /// <returns>False when the log could not be kept (the store says why in its own log); the build is not affected.</returns>
    Task<bool> SaveAsync(string id, IReadOnlyList<BinderEvent> events, CancellationToken cancellationToken);

    /// <summary>The log as UTF-8 text (<see cref="BuildLogText"/>), or null when there is none (never kept, expired, or pushed out).</summary>
    Task<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken);
}
