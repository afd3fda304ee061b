namespace BinderOrleans.Docker.Engine;

/// <summary>Query parameters of <c>POST /build</c> (the legacy builder: no BuildKit session needed).</summary>
/// <param name="Tag">Name and tag of the result (<c>t</c>).</param>
/// <param name="Dockerfile">Path of the Dockerfile inside the context.</param>
internal sealed record ImageBuildParameters(string Tag, string Dockerfile = "Dockerfile")
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();
    public string? NetworkMode { get; init; }
    public bool NoCache { get; init; }

    /// <summary>Always remove intermediate containers, also after a failed step, so nothing is left behind.</summary>
    public bool ForceRemove { get; init; } = true;
}
