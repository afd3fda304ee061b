namespace BinderOrleans.Core.Options;

/// <summary>Launch settings, section <c>Launch</c>.</summary>
public sealed class LaunchOptions
{
    public const string Section = "Launch";

    /// <summary><c>Launch:Backend</c>: <c>docker</c> (default) or <c>jupyterhub</c>.</summary>
    public string Backend { get; set; } = "docker";
}
