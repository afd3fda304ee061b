namespace BinderOrleans.Docker.Buildpacks;

/// <summary>The repo2docker buildpack a generated plan stands for (they all share apt.txt, postBuild and start).</summary>
internal enum BuildpackKind
{
    Python,
    Conda,
    Pipfile,
    R,
    JuliaProject,
    Nix,
}
