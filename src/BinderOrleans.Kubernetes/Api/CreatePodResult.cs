using BinderOrleans.Kubernetes.Api.Models;

namespace BinderOrleans.Kubernetes.Api;

/// <param name="Outcome">Created, already there, or failed.</param>
/// <param name="Pod">The created pod (Created only).</param>
/// <param name="Error">Why (Failed only).</param>
internal readonly record struct CreatePodResult(CreatePodOutcome Outcome, Pod? Pod, KubeError? Error);
