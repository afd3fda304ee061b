namespace BinderOrleans.Kubernetes.Client;

internal enum CreatePodOutcome
{
    /// <summary>201: this call made the pod.</summary>
    Created,

    /// <summary>409 AlreadyExists: another request or replica made it first; attach to it.</summary>
    Exists,

    Failed,
}
