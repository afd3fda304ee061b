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

    /// <summary>
    /// A dev container configuration (<c>.devcontainer/devcontainer.json</c> or <c>.devcontainer.json</c>), beyond
    /// repo2docker: the image it names, or its Dockerfile, then the repository copied in and the build-time lifecycle
    /// commands run as the notebook user (see <see cref="DevcontainerFile"/>).
    /// </summary>
    public sealed record Devcontainer : BuildPlan
    {
        public override string BuildPackName => "DevcontainerBuildPack";

        /// <summary>Repository-relative path of devcontainer.json.</summary>
        public string ConfigFile { get; init; } = "";

        /// <summary><c>image</c>, or null with a Dockerfile.</summary>
        public string? Image { get; init; }

        /// <summary><c>build.dockerfile</c>, repository-relative.</summary>
        public string? DockerfilePath { get; init; }

        public string? DockerfileText { get; init; }

        /// <summary><c>build.context</c>, repository-relative (<c>""</c> = the root).</summary>
        public string Context { get; init; } = "";

        public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

        /// <summary><c>build.target</c>: the stage the image is made from.</summary>
        public string? Target { get; init; }

        /// <summary><c>containerEnv</c> and <c>remoteEnv</c> (the latter wins).</summary>
        public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

        /// <summary><c>remoteUser</c>, else <c>containerUser</c>; null: uid 1000 (a <c>jovyan</c> user is made when the image has none).</summary>
        public string? User { get; init; }

        /// <summary><c>workspaceFolder</c>; null: <c>/home/jovyan</c>, repo2docker's REPO_DIR.</summary>
        public string? WorkspaceFolder { get; init; }

        /// <summary>onCreateCommand, updateContentCommand, postCreateCommand, in that order.</summary>
        public IReadOnlyList<DevcontainerCommand> Commands { get; init; } = [];
    }

    /// <param name="Name">The property it came from, e.g. <c>postCreateCommand</c>.</param>
    /// <param name="Shell">A string command, run by <c>/bin/sh -c</c>.</param>
    /// <param name="Argv">An array command, run without a shell.</param>
    public sealed record DevcontainerCommand(string Name, string? Shell, IReadOnlyList<string>? Argv);

    /// <summary>
    /// A generated image (repo2docker's BaseImage family): the Python environment (a venv over the base image's
    /// Python, or a micromamba environment for any other version), the buildpack's language (<see cref="Kind"/>),
    /// and the repository's configuration files applied in repo2docker's order.
    /// </summary>
    public sealed record Python : BuildPlan
    {
        public override string BuildPackName => Kind switch
        {
            BuildPackKind.Conda => "CondaBuildPack",
            BuildPackKind.Pipfile => "PipfileBuildPack",
            BuildPackKind.R => "RBuildPack",
            BuildPackKind.JuliaProject => "JuliaProjectTomlBuildPack",
            BuildPackKind.Nix => "NixBuildPack",
            _ => "PythonBuildPack",
        };

        public BuildPackKind Kind { get; init; } = BuildPackKind.Python;

        /// <summary><c>binder</c>, <c>.binder</c> or empty.</summary>
        public string BinderDirectory { get; init; } = "";

        public IReadOnlyList<string> AptPackages { get; init; } = [];

        /// <summary>Repository-relative path of requirements.txt, when there is one.</summary>
        public string? Requirements { get; init; }

        /// <summary>
        /// Repository-relative path of requirements3.txt: with a legacy kernel (Python below 3.7, in its own environment)
        /// it is installed into the notebook server's environment, as repo2docker does; otherwise it is not read.
        /// </summary>
        public string? Requirements3 { get; init; }

        /// <summary>requirements.txt or requirements3.txt refers to local files (or the repo is a package): pip runs after the repository copy.</summary>
        public bool RequirementsAfterCopy { get; init; }

        /// <summary>A root <c>setup.py</c> or <c>pyproject.toml</c> package (only without a binder directory): <c>pip install .</c>.</summary>
        public bool IsPythonPackage { get; init; }

        public string? PostBuild { get; init; }

        public string? Start { get; init; }

        /// <summary><c>X</c> or <c>X.Y</c> asked for by <c>runtime.txt</c> (or environment.yml, or the Pipfile).</summary>
        public string? PythonVersion { get; init; }

        /// <summary>pyproject.toml's <c>requires-python</c> (root only, without a binder directory).</summary>
        public string? RequiresPython { get; init; }

        /// <summary>Line of <see cref="RequiresPython"/> in pyproject.toml, for error messages.</summary>
        public int RequiresPythonLine { get; init; } = 1;

        /// <summary>
        /// <c>X.Y</c> of the micromamba environment the image gets, or null for the fast path (a venv over the base
        /// image's Python). Set by <see cref="PythonChoice.Resolve"/> once the base image's Python is known.
        /// </summary>
        public string? CondaPython { get; init; }

        /// <summary>environment.yml (or .yaml), applied to the kernel environment with micromamba.</summary>
        public string? EnvironmentFile { get; init; }

        /// <summary>environment.yml's pip section refers to local files: apply it after the repository copy.</summary>
        public bool EnvironmentAfterCopy { get; init; }

        /// <summary>environment.yml installs <c>r-…</c> packages: R, IRkernel and devtools come from conda too.</summary>
        public bool EnvironmentUsesR { get; init; }

        /// <summary>environment.yml's <c>r-base</c> pin, if any.</summary>
        public string? EnvironmentRVersion { get; init; }

        public string? Pipfile { get; init; }

        public string? PipfileLock { get; init; }

        /// <summary>R settings (R buildpack only).</summary>
        public RSettings? R { get; init; }

        /// <summary>Julia settings (Julia buildpack only).</summary>
        public JuliaSettings? Julia { get; init; }

        /// <summary>default.nix (Nix buildpack only).</summary>
        public string? NixFile { get; init; }
    }

    /// <param name="Version">R <c>X.Y.Z</c> (<c>X.Y</c> from runtime.txt mapped to its last patch release, as repo2docker does).</param>
    /// <param name="SnapshotDate">The CRAN snapshot date <c>YYYY-MM-DD</c> (runtime.txt's date; DESCRIPTION alone: two days ago).</param>
    /// <param name="InstallR">install.R, run before the repository copy and again after it if that failed.</param>
    /// <param name="Description">A root DESCRIPTION: the repository is installed as an R package after the copy.</param>
    public sealed record RSettings(string Version, string SnapshotDate, string? InstallR, bool Description);

    /// <param name="ProjectFile">JuliaProject.toml, else Project.toml (Julia's own precedence), repository-relative.</param>
    /// <param name="Constraint"><c>[compat] julia</c>, or <see cref="JuliaCompat.DefaultConstraint"/>.</param>
    /// <param name="Version">The Julia release chosen for the constraint; set once versions.json has been read.</param>
    public sealed record JuliaSettings(string ProjectFile, string Constraint, string? Version);
}
