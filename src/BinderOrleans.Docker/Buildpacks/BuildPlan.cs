namespace BinderOrleans.Docker.Buildpacks;

/// <summary>What the detected buildpack will build. Rendering turns it into a Dockerfile and a context layout.</summary>
internal abstract record BuildPlan
{
    /// <summary>repo2docker's class name, shown as "Using … builder".</summary>
    public abstract string BuildPackName { get; }

    /// <summary>The repository's own Dockerfile, built as is with the repository root as context.</summary>
    /// <param name="DockerfilePath">Repository-relative path, e.g. <c>binder/Dockerfile</c>.</param>
    public sealed record Dockerfile(string DockerfilePath) : BuildPlan
    {
        public override string BuildPackName => "DockerBuildPack";
    }

    /// <summary>The Python environment on the base image, with the repository's configuration files applied.</summary>
    public sealed record Python : BuildPlan
    {
        public override string BuildPackName => "PythonBuildPack";

        /// <summary><c>binder</c>, <c>.binder</c> or empty.</summary>
        public string BinderDirectory { get; init; } = "";

        public IReadOnlyList<string> AptPackages { get; init; } = [];

        /// <summary>Repository-relative path of requirements.txt, when there is one.</summary>
        public string? Requirements { get; init; }

        /// <summary>The requirements refer to local files (or the repo is a package): install after the repository copy.</summary>
        public bool RequirementsAfterCopy { get; init; }

        /// <summary>A root <c>setup.py</c> or <c>pyproject.toml</c> package (only without a binder directory): <c>pip install .</c>.</summary>
        public bool IsPythonPackage { get; init; }

        public string? PostBuild { get; init; }

        public string? Start { get; init; }

        /// <summary><c>X</c> or <c>X.Y</c> from <c>runtime.txt</c>, which the base image must provide.</summary>
        public string? PythonVersion { get; init; }
    }
}
