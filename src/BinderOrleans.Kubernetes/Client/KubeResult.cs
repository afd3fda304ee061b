namespace BinderOrleans.Kubernetes.Client;

/// <summary>A value, or the error that stood in its way.</summary>
internal readonly record struct KubeResult<T>(T Value, KubeError? Error)
{
    public static implicit operator KubeResult<T>(KubeError error) => new(default!, error);

    public static KubeResult<T> Ok(T value) => new(value, null);
}
