using BinderOrleans.Kubernetes.Client;
using k8s.Models;

namespace BinderOrleans.Kubernetes.Builds;

/// <summary>What watching a pod came to: the pod in the awaited state, the pod gone, or the API out of reach.</summary>
/// <param name="Pod">The pod; for <paramref name="Gone"/>, its last known state (null when a list found nothing).</param>
/// <param name="Gone">The pod was deleted or is not there.</param>
/// <param name="Error">The API could not be watched (after retries).</param>
internal sealed record PodObservation(V1Pod? Pod, bool Gone, KubeError? Error)
{
    public static PodObservation Seen(V1Pod pod) => new(pod, false, null);

    public static PodObservation Deleted(V1Pod? lastState) => new(lastState, true, null);

    public static PodObservation Failed(KubeError error) => new(null, false, error);
}
