namespace BinderOrleans.Docker.Buildpacks;

/// <summary>
/// Which Python a generated image gets. The base image's Python (a venv over it) is the fast path whenever it
/// satisfies what the repository asks for; any other version comes from a conda environment made with micromamba,
/// as repo2docker makes all of them. The rules are repo2docker's: <c>runtime.txt</c> <c>python-X.Y</c> must be
/// honoured (and must satisfy pyproject's <c>requires-python</c>); without it, a default that violates
/// <c>requires-python</c> is replaced by the highest supported version that satisfies it.
/// </summary>
internal static class PythonChoice
{
    /// <summary>repo2docker's default Python for the conda path (also what <c>python-3</c> means there).</summary>
    public const string DefaultCondaPython = "3.10";

    /// <summary>Versions repo2docker has conda environments for (linux-64).</summary>
    public static readonly IReadOnlyList<string> CondaPythons = ["2.7", "3.5", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

    /// <summary>Versions repo2docker considers when <c>requires-python</c> rules out the default (<c>SUPPORTED_PYTHON_VERSION</c>).</summary>
    public static readonly IReadOnlyList<string> FallbackPythons = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];

    /// <summary>Below this, the kernel gets its own environment and the server runs on the default Python (repo2docker's legacy kernels).</summary>
    public static bool NeedsSeparateKernel(string version) => Compare(version, "3.7") < 0;

    /// <summary>Sets <see cref="BuildPlan.Python.CondaPython"/> from the plan's request and the base image's <c>X.Y</c>.</summary>
    /// <returns>The plan to render, or an error for the user.</returns>
    public static (BuildPlan.Python? Plan, string? Error) Resolve(BuildPlan.Python plan, string basePython)
    {
        var (resolved, error) = ResolveVersion(plan, basePython);
        // An environment.yml next to Project.toml, DESCRIPTION or a Pipfile is applied too, which needs micromamba.
        if (resolved is { EnvironmentFile: not null, CondaPython: null })
        {
            resolved = resolved with { CondaPython = resolved.PythonVersion is { } v && CondaPythons.Contains(Major(v)) ? Major(v) : DefaultCondaPython };
        }
        return (resolved, error);
    }

    private static (BuildPlan.Python? Plan, string? Error) ResolveVersion(BuildPlan.Python plan, string basePython)
    {
        if (plan.Kind == BuildpackKind.Nix) return (plan, null);
        if (plan.Kind == BuildpackKind.Conda)
        {
            // The conda buildpack always makes its environment; its Python comes from environment.yml only.
            var wanted = plan.PythonVersion is { } v ? Major(v) : DefaultCondaPython;
            return Supported(wanted, "environment.yml") is { } error ? (null, error) : (plan with { CondaPython = wanted }, null);
        }

        var specifier = plan.RequiresPython is { } text ? PythonSpecifier.Parse(text) : null;
        if (plan.RequiresPython is not null && specifier is null)
        {
            return (null, $"pyproject.toml line {plan.RequiresPythonLine}: requires-python = '{plan.RequiresPython}' is not a version specifier (e.g. '>=3.9').");
        }

        if (plan.PythonVersion is { } requested)
        {
            var source = plan.Kind == BuildpackKind.Pipfile ? "Pipfile" : "runtime.txt";
            if (Satisfies(basePython, requested) && (specifier is null || specifier.Contains(basePython))) return (plan, null);
            var wanted = Major(requested);
            if (specifier is not null && !specifier.Contains(wanted))
            {
                return (null, $"{source} asks for Python {requested}, which pyproject.toml's requires-python '{plan.RequiresPython}' does not allow.");
            }
            return Supported(wanted, source) is { } error ? (null, error) : (plan with { CondaPython = wanted }, null);
        }

        if (specifier is null || specifier.Contains(basePython)) return (plan, null);
        var fallback = FallbackPythons.LastOrDefault(specifier.Contains);
        return fallback is null
            ? (null, $"No supported Python version satisfies pyproject.toml's requires-python '{plan.RequiresPython}' (supported: {string.Join(", ", FallbackPythons)}).")
            : (plan with { CondaPython = fallback }, null);
    }

    /// <summary>True when the requested <c>X</c> or <c>X.Y</c> is satisfied by the available <c>X.Y</c>.</summary>
    public static bool Satisfies(string available, string requested) =>
        available == requested || (!requested.Contains('.') && available.StartsWith(requested + ".", StringComparison.Ordinal));

    private static string Major(string version) => version switch
    {
        "3" => DefaultCondaPython,
        "2" => "2.7",
        _ => version,
    };

    private static string? Supported(string version, string source) =>
        CondaPythons.Contains(version) ? null : $"{source}: Python {version} is not supported; use one of {string.Join(", ", CondaPythons)}.";

    private static int Compare(string a, string b)
    {
        var x = a.Split('.').Select(int.Parse).ToArray();
        var y = b.Split('.').Select(int.Parse).ToArray();
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var c = (i < x.Length ? x[i] : 0).CompareTo(i < y.Length ? y[i] : 0);
            if (c != 0) return c;
        }
        return 0;
    }
}
