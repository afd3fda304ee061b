namespace BinderOrleans.Kubernetes;

/// <summary>What a build pod runs (<c>Kubernetes:Builder</c>).</summary>
public enum BuildPodBuilder
{
    /// <summary>BinderHub's choice: the repo2docker image (<c>Kubernetes:BuildImage</c>) with BinderHub's arguments.</summary>
    Repo2Docker,

    /// <summary>
    /// The service image itself (<c>Kubernetes:BuildImage</c> names it) run with its <c>build</c> command: the Docker
    /// backend's buildpacks and builder, printing repo2docker's JSON log lines.
    /// </summary>
    Buildpacks,
}
