namespace BinderOrleans.Core.Options;

/// <summary>Where image lookups go, from <c>Registry:Enabled</c>.</summary>
public enum ImageSource
{
    /// <summary><c>Registry:Enabled</c> false (default): the local engine's image store.</summary>
    LocalEngine,

    /// <summary><c>Registry:Enabled</c> true: the registry's manifests.</summary>
    Registry,
}
