using System.Globalization;

namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// repo2docker's detection order: the first buildpack that matches wins (Dockerfile, Julia Project.toml, Julia
/// REQUIRE, Nix, R, Conda, Pipfile, Python), with a devcontainer.json considered last, before the default Python buildpack, in a repository without repo2docker files. Every configuration file the chosen buildpack reads is parsed here, so a
/// malformed one fails the build naming the file and the line before anything is built.
/// </summary>
internal static class BuildPackDetector
{
    /// <summary>CRAN snapshots before this date are refused (repo2docker: MRAN is gone).</summary>
    public static readonly DateOnly FirstSnapshot = new(2018, 12, 7);

    /// <summary>R when runtime.txt names no version (repo2docker's default since 2025.12.0).</summary>
    public const string DefaultRVersion = "4.4.2";

    private static readonly Dictionary<string, string> RPatchReleases = new(StringComparer.Ordinal)
    {
        ["4.6"] = "4.6.1", ["4.5"] = "4.5.1", ["4.4"] = "4.4.2", ["4.3"] = "4.3.3", ["4.2"] = "4.2.3", ["4.1"] = "4.1.3",
        ["4.0"] = "4.0.5", ["3.6"] = "3.6.3", ["3.5"] = "3.5.3", ["3.4"] = "3.4.4", ["3.3"] = "3.3.3",
    };

    /// <returns>The plan, or an error message for the user.</returns>
    public static (BuildPlan? Plan, string? Error) Detect(string repositoryRoot) =>
        Detect(repositoryRoot, DateOnly.FromDateTime(DateTime.UtcNow));

    /// <param name="today">Used for a DESCRIPTION without a dated runtime.txt (snapshot = two days before).</param>
    public static (BuildPlan? Plan, string? Error) Detect(string repositoryRoot, DateOnly today)
    {
        var (layout, layoutError) = RepoLayout.Open(repositoryRoot);
        if (layout is null) return (null, layoutError);

        if (layout.Find("Dockerfile") is { } dockerfile)
        {
            if (NamesLegacyBase(layout.ReadText(dockerfile)))
            {
                return (null, "Binder base images (andrewosh/binder-base) were removed in January 2020; please update the Dockerfile.");
            }
            return (new BuildPlan.Dockerfile(dockerfile), null);
        }

        RuntimeSpec? runtime = null;
        if (layout.Find("runtime.txt") is { } runtimePath)
        {
            (runtime, var runtimeError) = RuntimeSpec.Parse(layout.ReadText(runtimePath), runtimePath);
            if (runtimeError is not null) return (null, runtimeError);
        }

        // Julia itself reads JuliaProject.toml first when both exist, and so does repo2docker for [compat] julia.
        if ((layout.Find("JuliaProject.toml") ?? layout.Find("Project.toml")) is { } project)
        {
            var (table, tomlError) = TomlFile.Parse(project, layout.ReadText(project));
            if (table is null) return (null, tomlError);
            var constraint = TomlFile.GetString(table, "compat", "julia") ?? JuliaCompat.DefaultConstraint;
            if (!JuliaCompat.IsValid(constraint))
            {
                return (null, $"{project} line {LineNumbers.Of(layout.ReadText(project), "julia")}: [compat] julia = '{constraint}' is not a Julia version specifier.");
            }
            return Generated(layout, runtime, BuildPackKind.JuliaProject, plan => plan with { Julia = new BuildPlan.JuliaSettings(project, constraint, null) });
        }
        if (layout.Find("REQUIRE") is not null) return (null, "Julia REQUIRE files are no longer supported; use a Project.toml instead.");
        if (layout.Find("default.nix") is { } nix) return Generated(layout, runtime, BuildPackKind.Nix, plan => plan with { NixFile = nix });

        var description = layout.FindRootOnly("DESCRIPTION");
        if (runtime is { Name: "r", Date: not null } || description is not null)
        {
            return DetectR(layout, runtime, description, today);
        }
        if ((layout.Find("environment.yml") ?? layout.Find("environment.yaml")) is not null)
        {
            return Generated(layout, runtime, BuildPackKind.Conda, plan => plan);
        }
        var pipfile = layout.Find("Pipfile");
        var pipfileLock = layout.Find("Pipfile.lock");
        if ((pipfile ?? pipfileLock) is not null && runtime is null or { Name: "python" })
        {
            var (version, pipfileError) = PipfileSpec.Read(layout, pipfile, pipfileLock);
            if (pipfileError is not null) return (null, pipfileError);
            return Generated(layout, runtime, BuildPackKind.Pipfile, plan => plan with
            {
                Pipfile = pipfile, PipfileLock = pipfileLock, PythonVersion = version, Requirements3 = layout.Find("requirements3.txt"),
            });
        }
        if (runtime is null && DetectDevcontainer(layout) is { } devcontainer) return devcontainer;
        return Generated(layout, runtime, BuildPackKind.Python, plan => plan);
    }

    /// <summary>
    /// Every file repo2docker reads (besides those of the buildpacks checked before the default Python one): any of
    /// them means the repository is configured for repo2docker, and a devcontainer.json is not used.
    /// </summary>
    private static readonly string[] Repo2DockerFiles = ["requirements.txt", "setup.py", "pyproject.toml", "apt.txt", "postBuild", "start", "install.R"];

    /// <summary>
    /// Beyond repo2docker, last before its default Python buildpack: a root <c>.devcontainer/devcontainer.json</c> (else
    /// <c>.devcontainer.json</c>), used only when there is no binder directory and none of repo2docker's files, so a
    /// repository that builds on mybinder.org builds the same way here.
    /// </summary>
    private static (BuildPlan?, string?)? DetectDevcontainer(RepoLayout layout)
    {
        if (layout.HasBinderDirectory || Repo2DockerFiles.Any(name => File.Exists(layout.FullPath(name)))) return null;
        foreach (var path in DevcontainerFile.Locations)
        {
            if (!File.Exists(layout.FullPath(path))) continue;
            var (plan, error) = DevcontainerFile.Parse(path, layout.ReadText(path),
                relative => File.Exists(layout.FullPath(relative)) ? layout.ReadText(relative) : null);
            return (plan, error);
        }
        return null;
    }

    private static (BuildPlan?, string?) DetectR(RepoLayout layout, RuntimeSpec? runtime, string? description, DateOnly today)
    {
        var version = DefaultRVersion;
        var date = today.AddDays(-2);
        if (runtime is { Name: "r", Date: { } runtimeDate })
        {
            date = DateOnly.ParseExact(runtimeDate, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (runtime.Version is { } v)
            {
                if (RPatchReleases.TryGetValue(v, out var patch)) version = patch;
                else if (v.Split('.') is { Length: 3 } parts && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit))) version = v;
                else return (null, $"{runtime.Where}: R version '{v}' is not supported; use X.Y (e.g. r-4.3-2024-01-15) or X.Y.Z.");
            }
            if (date < FirstSnapshot)
            {
                return (null, $"{runtime.Where}: CRAN snapshots start on {FirstSnapshot:yyyy-MM-dd}; '{runtimeDate}' is too early.");
            }
        }
        if (description is not null)
        {
            var (_, descriptionError) = RDescription.Parse(description, layout.ReadText(description));
            if (descriptionError is not null) return (null, descriptionError);
        }
        var settings = new BuildPlan.RSettings(version, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), layout.Find("install.R"), description is not null);
        return Generated(layout, runtime, BuildPackKind.R, plan => plan with { R = settings });
    }

    /// <summary>The parts every generated buildpack shares, read as the buildpack's repo2docker class reads them.</summary>
    private static (BuildPlan?, string?) Generated(RepoLayout layout, RuntimeSpec? runtime, BuildPackKind kind, Func<BuildPlan.Python, BuildPlan.Python> specific)
    {
        IReadOnlyList<string> apt = [];
        if (layout.Find("apt.txt") is { } aptPath)
        {
            (apt, var aptError) = AptPackages.Parse(layout.ReadText(aptPath));
            if (aptError is not null) return (null, aptError);
        }
        var plan = new BuildPlan.Python
        {
            Kind = kind,
            BinderDirectory = layout.BinderDirectory,
            AptPackages = apt,
            PostBuild = layout.Find("postBuild"),
            Start = layout.Find("start"),
        };

        // The conda step is keyed on the file, not the buildpack: R, Julia and Pipfile images apply it too.
        if (kind != BuildPackKind.Nix && (layout.Find("environment.yml") ?? layout.Find("environment.yaml")) is { } environment)
        {
            var (file, yamlError) = CondaEnvironmentFile.Parse(environment, layout.ReadText(environment));
            if (file is null) return (null, yamlError);
            plan = plan with
            {
                EnvironmentFile = environment,
                EnvironmentAfterCopy = file.PipHasLocalReference,
                EnvironmentUsesR = file.UsesR,
                EnvironmentRVersion = file.RVersion,
                PythonVersion = kind == BuildPackKind.Conda ? file.PythonVersion : null,
            };
        }

        // Python, R and Julia read what repo2docker's PythonBuildPack reads; Conda, Pipfile and Nix do not.
        if (kind is BuildPackKind.Python or BuildPackKind.R or BuildPackKind.JuliaProject)
        {
            if (runtime is not null && kind != BuildPackKind.R)
            {
                var (pythonVersion, versionError) = runtime.PythonVersion();
                if (versionError is not null) return (null, versionError);
                plan = plan with { PythonVersion = pythonVersion };
            }
            var isPackage = layout.FindRootOnly("setup.py") is not null;
            if (layout.FindRootOnly("pyproject.toml") is { } pyproject)
            {
                var text = layout.ReadText(pyproject);
                var (table, tomlError) = TomlFile.Parse(pyproject, text);
                if (table is null) return (null, tomlError);
                isPackage |= TomlFile.HasTable(table, "project") && TomlFile.HasTable(table, "build-system");
                if (kind != BuildPackKind.R && TomlFile.GetString(table, "project", "requires-python") is { } requires)
                {
                    plan = plan with { RequiresPython = requires, RequiresPythonLine = LineNumbers.Of(text, "requires-python") };
                }
            }
            var requirements = layout.Find("requirements.txt");
            var requirements3 = layout.Find("requirements3.txt");
            // A local reference in either file moves both pip steps after the copy (repo2docker checks both, used or not).
            var local = new[] { requirements, requirements3 }.Any(file => file is not null && PipRequirements.HasLocalReference(layout.ReadText(file)));
            plan = plan with
            {
                Requirements = requirements,
                Requirements3 = requirements3,
                RequirementsAfterCopy = (requirements ?? requirements3) is not null && (isPackage || local),
                IsPythonPackage = isPackage,
            };
        }
        return (specific(plan), null);
    }

    private static bool NamesLegacyBase(string dockerfile) =>
        dockerfile.Split('\n').Select(l => l.Trim()).Any(l =>
            l.StartsWith("FROM", StringComparison.OrdinalIgnoreCase) && l.Contains("andrewosh/binder-base", StringComparison.Ordinal));
}
