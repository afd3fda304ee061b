using k8s.Models;

namespace BinderOrleans.Kubernetes.Client;

/// <param name="Outcome">Created, already there, or failed.</param>
/// <param name="Pod">The created pod (Created only).</param>
/// <param name="Error">Why (Failed only).</param>
internal readonly record struct CreatePodResult(CreatePodOutcome Outcome, V1Pod? Pod, KubeError? Error);
