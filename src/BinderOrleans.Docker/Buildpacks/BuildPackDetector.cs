namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// repo2docker's detection order: the first buildpack that matches wins. Buildpacks this builder does not implement
/// (Julia, Nix, R, Conda, Pipfile) are refused with a clear message instead of building an image without the
/// environment the repository asked for.
/// </summary>
internal static class BuildPackDetector
{
    /// <returns>The plan, or an error message for the user.</returns>
    public static (BuildPlan? Plan, string? Error) Detect(string repositoryRoot)
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
            (runtime, var runtimeError) = RuntimeSpec.Parse(layout.ReadText(runtimePath));
            if (runtimeError is not null) return (null, runtimeError);
        }

        if (layout.Find("Project.toml") is not null || layout.Find("JuliaProject.toml") is not null) return Unsupported("Project.toml", "Julia");
        if (layout.Find("REQUIRE") is not null) return (null, "Julia REQUIRE files are no longer supported; use a Project.toml instead.");
        if (layout.Find("default.nix") is not null) return Unsupported("default.nix", "Nix");
        if ((runtime is { Name: "r", Date: not null }) || layout.FindRootOnly("DESCRIPTION") is not null) return Unsupported(runtime is null ? "DESCRIPTION" : "runtime.txt (r-…-date)", "R");
        if (layout.Find("environment.yml") is not null || layout.Find("environment.yaml") is not null) return Unsupported("environment.yml", "Conda");
        if ((layout.Find("Pipfile") is not null || layout.Find("Pipfile.lock") is not null) && runtime is null or { Name: "python" })
        {
            return Unsupported("Pipfile", "Pipfile");
        }
        return DetectPython(layout, runtime);
    }

    private static (BuildPlan?, string?) DetectPython(RepoLayout layout, RuntimeSpec? runtime)
    {
        string? pythonVersion = null;
        if (runtime is not null)
        {
            (pythonVersion, var versionError) = runtime.PythonVersion();
            if (versionError is not null) return (null, versionError);
        }

        IReadOnlyList<string> apt = [];
        if (layout.Find("apt.txt") is { } aptPath)
        {
            (apt, var aptError) = AptPackages.Parse(layout.ReadText(aptPath));
            if (aptError is not null) return (null, aptError);
        }

        var isPackage = layout.FindRootOnly("setup.py") is not null
            || (layout.FindRootOnly("pyproject.toml") is { } pyproject && IsPackageProject(layout.ReadText(pyproject)));
        var requirements = layout.Find("requirements.txt");
        var requirementsAfterCopy = requirements is not null && (isPackage || PipRequirements.HasLocalReference(layout.ReadText(requirements)));

        return (new BuildPlan.Python
        {
            BinderDirectory = layout.BinderDirectory,
            AptPackages = apt,
            Requirements = requirements,
            RequirementsAfterCopy = requirementsAfterCopy,
            IsPythonPackage = isPackage,
            PostBuild = layout.Find("postBuild"),
            Start = layout.Find("start"),
            PythonVersion = pythonVersion,
        }, null);
    }

    /// <summary>A pyproject.toml makes an installable package only with both a <c>[project]</c> and a <c>[build-system]</c> table.</summary>
    internal static bool IsPackageProject(string pyproject)
    {
        var tables = pyproject.Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        return tables.Contains("[project]") && tables.Contains("[build-system]");
    }

    private static bool NamesLegacyBase(string dockerfile) =>
        dockerfile.Split('\n').Select(l => l.Trim()).Any(l =>
            l.StartsWith("FROM", StringComparison.OrdinalIgnoreCase) && l.Contains("andrewosh/binder-base", StringComparison.Ordinal));

    private static (BuildPlan?, string?) Unsupported(string file, string buildpack) =>
        (null, $"This repository needs repo2docker's {buildpack} buildpack ({file}), which this BinderOrleans builder does not provide. "
            + "Use requirements.txt, apt.txt and postBuild, or a Dockerfile.");
}
