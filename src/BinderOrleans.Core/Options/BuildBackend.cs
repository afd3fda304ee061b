namespace BinderOrleans.Core.Options;

/// <summary><c>Build:Backend</c>: what builds images. Default <see cref="Docker"/>.</summary>
public enum BuildBackend
{
    /// <summary><c>docker</c>: the local engine builds from generated Dockerfiles.</summary>
    Docker,

    /// <summary><c>kubernetes</c>: repo2docker build pods (section <c>Kubernetes</c>).</summary>
    Kubernetes,
}
