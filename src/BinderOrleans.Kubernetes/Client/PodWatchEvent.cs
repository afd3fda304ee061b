using k8s;
using k8s.Models;

namespace BinderOrleans.Kubernetes.Client;

/// <summary>One event of a pod watch, or the error that ended the watch.</summary>
/// <param name="Type">Added, Modified, Deleted, Bookmark; Error when <paramref name="Error"/> is set.</param>
/// <param name="Pod">The pod (its last state for Deleted; only a resource version for Bookmark); null for Error.</param>
/// <param name="Error">The API's status (410 = resource version too old), or why the watch request failed.</param>
internal sealed record PodWatchEvent(WatchEventType Type, V1Pod? Pod, KubeError? Error)
{
    public static PodWatchEvent Failure(KubeError error) => new(WatchEventType.Error, null, error);
}
