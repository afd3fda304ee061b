namespace BinderOrleans.Core.Options;

/// <summary><c>Launch:Backend</c>: what starts notebook servers. Default <see cref="Docker"/>.</summary>
public enum LaunchBackend
{
    /// <summary><c>docker</c>: containers on the local engine (section <c>Docker</c>).</summary>
    Docker,

    /// <summary><c>jupyterhub</c>: named servers of a JupyterHub (section <c>JupyterHub</c>).</summary>
    JupyterHub,
}
