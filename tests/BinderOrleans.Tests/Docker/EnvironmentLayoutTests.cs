using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

/// <summary>
/// Every layout issue 13 lists, from files to generated Dockerfile: which buildpack, which steps in which order, as
/// which user, and which files are copied before the whole repository. The base image's Python is 3.11 here.
/// </summary>
public sealed class EnvironmentLayoutTests
{
    private const string BasePython = "3.11";

    private static readonly DockerfileSettings Settings = new(
        "binderorleans-base:bookworm",
        new Dictionary<string, string> { ["repo2docker.ref"] = "abc123", ["repo2docker.version"] = "binderorleans-0.1.0" },
        new Dictionary<string, string>(),
        new BuildpackOptions { MicromambaUrl = "http://127.0.0.1:9/micromamba.tar.bz2", JuliaDownloadUrl = "http://127.0.0.1:9/julia-{version}.tar.gz" });

    private static (BuildPlan.Python Plan, List<string> Lines) Build(Dictionary<string, string> files)
    {
        using var tree = new TempTree(files);
        var (detected, error) = BuildPackDetector.Detect(tree.Root, new DateOnly(2026, 12, 1));
        Assert.Null(error);
        var (plan, choiceError) = PythonChoice.Resolve(Assert.IsType<BuildPlan.Python>(detected), BasePython);
        Assert.Null(choiceError);
        if (plan!.Julia is { } julia) plan = plan with { Julia = julia with { Version = "1.11.2" } };
        var text = PythonDockerfile.Render(plan, Settings);
        return (plan, text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList());
    }

    [Theory]
    [InlineData("runtime.txt", "r-4.2-2024-01-15\n")]
    [InlineData("default.nix", "{}\n")]
    public void LanguageStepsEndingAsTheUser_RepositoryHomeStillMadeAsRoot(string file, string content)
    {
        // Found by the real R build: IRkernel's step ends as the notebook user, who may not write /etc/profile.d.
        var (_, lines) = Build(new() { [file] = content });

        Assert.Equal("USER root", UserAt(lines, IndexOf(lines, "RUN mkdir -p \"${REPO_DIR}\"")));
        Assert.Equal("USER root", UserAt(lines, IndexOf(lines, "RUN printf 'export PATH=")));
    }

    private static int IndexOf(List<string> lines, string start)
    {
        var i = lines.FindIndex(l => l.TrimStart().StartsWith(start, StringComparison.Ordinal));
        Assert.True(i >= 0, $"no line starting with '{start}' in:\n{string.Join('\n', lines)}");
        return i;
    }

    private static string UserAt(List<string> lines, int index) =>
        lines.Take(index).Last(l => l.StartsWith("USER ", StringComparison.Ordinal));

    private static void AssertInOrder(List<string> lines, params string[] starts)
    {
        var order = starts.Select(s => IndexOf(lines, s)).ToArray();
        Assert.Equal(order.Order(), order);
    }

    private const string CopyRepo = "COPY --chown=1000:1000 src/ ${REPO_DIR}/";
    private const string Micromamba = "RUN python3 -c \"import socket, sys, urllib.request; socket.setdefaulttimeout(120); urllib.request.urlretrieve(sys.argv[1], sys.argv[2])\" \"http://127.0.0.1:9/micromamba.tar.bz2\"";

    [Fact]
    public void EnvironmentYml_Alone_MicromambaEnvironmentThenUpdateBeforeTheCopy()
    {
        var (plan, lines) = Build(new() { ["environment.yml"] = "name: ignored\ndependencies:\n  - python=3.9\n  - numpy\n" });

        Assert.Equal("CondaBuildPack", plan.BuildPackName);
        Assert.Equal("3.9", plan.CondaPython);
        AssertInOrder(lines,
            "ENV APP_BASE=/srv",
            Micromamba,
            "&& \"${MAMBA_EXE}\" create --yes --prefix \"${NB_PYTHON_PREFIX}\" python=3.9 pip notebook=7",
            "&& chown -R \"${NB_UID}:${NB_UID}\" \"${CONDA_DIR}\"",
            "ENV PATH=${NB_PYTHON_PREFIX}/bin:${CONDA_DIR}/bin:${PATH}",
            "WORKDIR ${REPO_DIR}",
            "COPY --chown=1000:1000 src/environment.yml ${REPO_DIR}/environment.yml",
            "RUN \"${MAMBA_EXE}\" env update --yes --prefix \"${KERNEL_PYTHON_PREFIX}\" --file \"environment.yml\"",
            CopyRepo,
            "LABEL repo2docker.ref=\"abc123\"");
        Assert.Equal("USER root", UserAt(lines, IndexOf(lines, Micromamba)));
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, "RUN \"${MAMBA_EXE}\" env update")));
        Assert.Contains("    NB_PYTHON_PREFIX=/srv/conda/envs/notebook \\", lines);
        Assert.Contains("    KERNEL_PYTHON_PREFIX=/srv/conda/envs/notebook \\", lines);
        Assert.DoesNotContain(lines, l => l.Contains("python3 -m venv", StringComparison.Ordinal));
    }

    [Fact]
    public void EnvironmentYml_WithRequirementsTxt_RequirementsIgnoredAsRepo2dockerDoes()
    {
        var (plan, lines) = Build(new() { ["environment.yml"] = "dependencies:\n  - numpy\n", ["requirements.txt"] = "six\n" });

        Assert.Equal("CondaBuildPack", plan.BuildPackName);
        Assert.Null(plan.Requirements);
        Assert.DoesNotContain(lines, l => l.Contains("requirements.txt", StringComparison.Ordinal));
        Assert.Equal(PythonChoice.DefaultCondaPython, plan.CondaPython);
    }

    [Fact]
    public void EnvironmentYml_WithRuntimeTxt_PythonFromTheEnvironmentFile()
    {
        var (plan, lines) = Build(new() { ["binder/environment.yml"] = "dependencies:\n  - python==3.12.1\n", ["binder/runtime.txt"] = "python-3.8" });

        Assert.Equal("3.12", plan.CondaPython);
        Assert.Contains(lines, l => l.Contains("python=3.12 pip notebook=7", StringComparison.Ordinal));
        IndexOf(lines, "COPY --chown=1000:1000 src/binder/environment.yml ${REPO_DIR}/binder/environment.yml");
    }

    [Fact]
    public void EnvironmentYml_PipSectionWithLocalReference_AppliedAfterTheCopy()
    {
        var (_, lines) = Build(new() { ["environment.yml"] = "dependencies:\n  - pip\n  - pip:\n    - -e .\n" });

        Assert.True(IndexOf(lines, "RUN \"${MAMBA_EXE}\" env update") > IndexOf(lines, CopyRepo));
        Assert.DoesNotContain(lines, l => l.StartsWith("COPY --chown=1000:1000 src/environment.yml", StringComparison.Ordinal));
    }

    [Fact]
    public void EnvironmentYml_WithRPackages_RAndIRkernelFromConda()
    {
        var (_, lines) = Build(new() { ["environment.yml"] = "dependencies:\n  - r-base=4.3\n  - r-ggplot2\n" });

        Assert.Contains(lines, l => l.Contains("install --yes --prefix \"${NB_PYTHON_PREFIX}\" r-base=4.3 r-irkernel r-devtools", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("IRkernel::installspec(prefix = '${NB_PYTHON_PREFIX}')", StringComparison.Ordinal));
    }

    [Fact]
    public void Pipfile_FastPath_DebianPipenvThenInstallAfterTheCopy()
    {
        var (plan, lines) = Build(new() { ["Pipfile"] = "[packages]\nsix = \"*\"\n\n[requires]\npython_version = \"3.11\"\n", ["requirements.txt"] = "ignored\n" });

        Assert.Equal("PipfileBuildPack", plan.BuildPackName);
        Assert.Null(plan.CondaPython);
        Assert.Null(plan.Requirements);
        AssertInOrder(lines,
            "RUN python3 -m venv --system-site-packages",
            "RUN apt-get -qq update && apt-get install --yes --no-install-recommends pipenv",
            CopyRepo,
            "RUN export PATH=\"${KERNEL_PYTHON_PREFIX}/bin:${PATH}\"",
            "&& pipenv install --system --dev --skip-lock",
            "&& pipenv --clear");
        Assert.Equal("USER root", UserAt(lines, IndexOf(lines, "RUN apt-get -qq update && apt-get install --yes --no-install-recommends pipenv")));
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, "RUN export PATH=")));
    }

    [Fact]
    public void PipfileLock_InBinderDirectory_LockedInstallThereAndLockPythonWins()
    {
        var (plan, lines) = Build(new()
        {
            ["binder/Pipfile"] = "[requires]\npython_version = \"3.11\"\n",
            ["binder/Pipfile.lock"] = "{\"_meta\": {\"requires\": {\"python_version\": \"3.9\"}}, \"default\": {}}",
        });

        Assert.Equal("3.9", plan.CondaPython);
        Assert.Contains("RUN cd \"binder\" && export PATH=\"${KERNEL_PYTHON_PREFIX}/bin:${PATH}\" \\", lines);
        Assert.Contains(" && pipenv install --system --dev --ignore-pipfile \\", lines);
        Assert.Contains("RUN ${NB_PYTHON_PREFIX}/bin/pip install --no-cache-dir pipenv==2022.1.8", lines);
    }

    [Fact]
    public void Description_RootPackage_RInstalledAndPackageInstalledAfterTheCopy()
    {
        var (plan, lines) = Build(new() { ["DESCRIPTION"] = "Package: demo\nVersion: 0.1\nImports:\n    stats\n" });

        Assert.Equal("RBuildPack", plan.BuildPackName);
        Assert.Equal(new BuildPlan.RSettings("4.4.2", "2026-11-29", null, true), plan.R);
        AssertInOrder(lines,
            "RUN python3 -m venv",
            "ENV R_LIBS_USER=${APP_BASE}/rlibs",
            "RUN apt-get -qq update",
            "&& if [ \"${debian_r}\" = \"4.4\" ]; then",
            "RUN Rscript -e \"IRkernel::installspec(prefix = '${NB_PYTHON_PREFIX}')\"",
            CopyRepo,
            "RUN Rscript -e \"remotes::install_local(path = '.', upgrade = 'never')\"");
        Assert.Contains(lines, l => l.Contains("https://cdn.posit.co/r/debian-12/pkgs/r-4.4.2_1_amd64.deb", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("https://packagemanager.posit.co/cran/__linux__/${VERSION_CODENAME}/2026-11-29", StringComparison.Ordinal));
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, "RUN Rscript -e \"remotes::install_local")));
    }

    private const string RStudioDownload = "\"https://download2.rstudio.org/server/jammy/amd64/rstudio-server-2026.07.1-147-amd64.deb\" /tmp/rstudio.deb";
    private const string ProxyInstall = "RUN ${NB_PYTHON_PREFIX}/bin/pip install --no-cache-dir jupyter-rsession-proxy==2.3.0 jupyter-shiny-proxy==1.4";

    [Fact]
    public void R_RStudioShinyServerAndTheirProxies_AsRepo2dockerInstallsThem()
    {
        var (_, lines) = Build(new() { ["runtime.txt"] = "r-4.3-2024-01-15" });

        Assert.Contains(lines, l => l.Contains("r-cran-irkernel r-cran-remotes r-cran-shiny", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("install.packages(c('remotes', 'IRkernel', 'shiny')", StringComparison.Ordinal));
        AssertInOrder(lines,
            "RUN Rscript -e \"IRkernel::installspec(prefix = '${NB_PYTHON_PREFIX}')\"",
            "&& python3 -c \"import socket, sys, urllib.request; socket.setdefaulttimeout(120); urllib.request.urlretrieve(sys.argv[1], sys.argv[2])\" " + RStudioDownload,
            "&& python3 -c \"import socket, sys, urllib.request; socket.setdefaulttimeout(120); urllib.request.urlretrieve(sys.argv[1], sys.argv[2])\" \"https://download3.rstudio.org/ubuntu-20.04/x86_64/shiny-server-1.5.23.1030-amd64.deb\" /tmp/shiny.deb",
            "&& echo \"118e3fce4cf58ad3bfff1dc6eea3e07f294d51d28fefcc5e1cc559292c0dd06c  /tmp/rstudio.deb\" | sha256sum -c -",
            "&& echo \"4a3d063a06ccd1b6c53eb1d7f4fb59965bced10d1c5c87e8c476b58dd6fd35ee  /tmp/shiny.deb\" | sha256sum -c -",
            "&& apt-get install --yes --no-install-recommends /tmp/rstudio.deb /tmp/shiny.deb",
            "&& install -o \"${NB_UID}\" -g \"${NB_UID}\" -d /var/log/shiny-server /var/lib/shiny-server",
            "&& mkdir -p /etc/rstudio && . /etc/os-release && echo \"r-cran-repos=https://packagemanager.posit.co/cran/__linux__/${VERSION_CODENAME}/2024-01-15\" > /etc/rstudio/rsession.conf",
            ProxyInstall,
            CopyRepo);
        Assert.Equal("USER root", UserAt(lines, IndexOf(lines, "&& apt-get install --yes --no-install-recommends /tmp/rstudio.deb")));
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, ProxyInstall)));
    }

    [Fact]
    public void R_ConfiguredSourcesWithoutChecksums_DownloadedUnchecked()
    {
        using var tree = new TempTree(new() { ["runtime.txt"] = "r-4.3-2024-01-15" });
        var (detected, _) = BuildPackDetector.Detect(tree.Root, new DateOnly(2026, 12, 1));
        var (plan, _) = PythonChoice.Resolve((BuildPlan.Python)detected!, BasePython);
        var sources = new BuildpackOptions { RStudioUrl = "http://mirror.example.org/rstudio.deb", RStudioSha256 = "", ShinyServerUrl = "http://mirror.example.org/shiny.deb", ShinyServerSha256 = "" };

        var text = PythonDockerfile.Render(plan!, new DockerfileSettings(Settings.BaseImage, Settings.RepoLabels, Settings.OperatorLabels, sources));

        Assert.Contains("\"http://mirror.example.org/rstudio.deb\" /tmp/rstudio.deb", text);
        Assert.Contains("\"http://mirror.example.org/shiny.deb\" /tmp/shiny.deb", text);
        Assert.DoesNotContain("sha256sum", text);
    }

    [Fact]
    public void EnvironmentYmlWithRPackages_RStudioRunsCondasR()
    {
        var (_, lines) = Build(new() { ["environment.yml"] = "dependencies:\n  - r-base=4.3\n" });

        AssertInOrder(lines,
            "RUN \"${MAMBA_EXE}\" env update",
            "&& python3 -c \"import socket, sys, urllib.request; socket.setdefaulttimeout(120); urllib.request.urlretrieve(sys.argv[1], sys.argv[2])\" " + RStudioDownload,
            ProxyInstall,
            CopyRepo);
        var configure = lines.Single(l => l.Contains("/etc/rstudio/rserver.conf", StringComparison.Ordinal));
        Assert.Contains("\"rsession-which-r=${NB_PYTHON_PREFIX}/bin/R\"", configure);
        Assert.Contains("auth-none=1", configure);
        Assert.Contains("\"server-user=${NB_USER}\"", configure);
    }

    [Fact]
    public void InstallR_WithDatedRuntime_RunBeforeTheCopyAndRetriedAfter()
    {
        var (plan, lines) = Build(new() { ["install.R"] = "install.packages('x')\n", ["runtime.txt"] = "r-4.2-2024-01-15", ["requirements.txt"] = "six\n" });

        Assert.Equal(new BuildPlan.RSettings("4.2.3", "2024-01-15", "install.R", false), plan.R);
        AssertInOrder(lines,
            "&& if [ \"${debian_r}\" = \"4.2\" ]; then",
            "COPY --chown=1000:1000 src/requirements.txt ${REPO_DIR}/requirements.txt",
            "COPY --chown=1000:1000 src/install.R ${REPO_DIR}/install.R",
            "RUN Rscript \"install.R\" && touch /tmp/.preassembled || true",
            CopyRepo,
            "RUN if [ ! -e /tmp/.preassembled ]; then Rscript \"install.R\"; fi");
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, "RUN Rscript \"install.R\"")));
    }

    [Fact]
    public void InstallR_WithoutDatedRuntime_PythonLikeRepo2docker()
    {
        var (plan, _) = Build(new() { ["install.R"] = "1\n", ["runtime.txt"] = "r-4.2" });

        Assert.Equal("PythonBuildPack", plan.BuildPackName);
        Assert.Null(plan.R);
    }

    [Fact]
    public void ProjectToml_JuliaInstalledThenInstantiatedAfterTheCopy()
    {
        var (plan, lines) = Build(new() { ["binder/Project.toml"] = "name = \"demo\"\n[compat]\njulia = \"1.10\"\n", ["binder/requirements.txt"] = "six\n" });

        Assert.Equal("JuliaProjectTomlBuildPack", plan.BuildPackName);
        Assert.Equal("1.10", plan.Julia!.Constraint);
        AssertInOrder(lines,
            "RUN python3 -m venv",
            "ENV JULIA_PATH=${APP_BASE}/julia",
            "&& python3 -c \"import socket, sys, urllib.request; socket.setdefaulttimeout(120); urllib.request.urlretrieve(sys.argv[1], sys.argv[2])\" \"http://127.0.0.1:9/julia-1.11.2.tar.gz\" /tmp/julia.tar.gz",
            "ENV PATH=${JULIA_PATH}/bin:${PATH}",
            "ENV JULIA_PROJECT=${REPO_DIR}/binder",
            "RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"binder/requirements.txt\"",
            CopyRepo,
            "RUN project=\"${JULIA_PROJECT}\"",
            "&& julia --project=\"${project}\" -e \"using Pkg; Pkg.instantiate(); Pkg.resolve(); Pkg.instantiate()\"");
        Assert.Equal("USER root", UserAt(lines, IndexOf(lines, "RUN mkdir -p \"${JULIA_PATH}\"")));
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, "RUN project=")));
    }

    [Fact]
    public void Require_Refused()
    {
        using var tree = new TempTree(new() { ["REQUIRE"] = "julia 0.6\n" });

        var (plan, error) = BuildPackDetector.Detect(tree.Root);

        Assert.Null(plan);
        Assert.Contains("use a Project.toml", error);
    }

    [Fact]
    public void DefaultNix_NixInstalledAsUserShellBuiltAfterCopyAndWrapsEveryCommand()
    {
        var (plan, lines) = Build(new() { ["default.nix"] = "with import <nixpkgs> {}; mkShell {}\n", ["start"] = "#!/bin/sh\nexec \"$@\"\n", ["requirements.txt"] = "ignored\n" });

        Assert.Equal("NixBuildPack", plan.BuildPackName);
        Assert.Null(plan.Requirements);
        AssertInOrder(lines,
            "&& mkdir -m 0755 /nix",
            "&& sh /tmp/nix-install --no-daemon && rm /tmp/nix-install",
            CopyRepo,
            "RUN nix-channel --add \"https://nixos.org/channels/nixpkgs-unstable\" nixpkgs",
            "&& nix-shell \"default.nix\"",
            "ENV R2D_ENTRYPOINT=/usr/local/bin/nix-shell-wrapper");
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, "&& sh /tmp/nix-install") - 1));
        Assert.Contains(lines, l => l.Contains("\"${REPO_DIR}/default.nix\" \"${REPO_DIR}/start \" > /usr/local/bin/nix-shell-wrapper", StringComparison.Ordinal));
        Assert.DoesNotContain("ENV R2D_ENTRYPOINT=\"${REPO_DIR}/start\"", lines);
    }

    [Fact]
    public void RuntimePython38_CondaEnvironmentWithThatPython()
    {
        var (plan, lines) = Build(new() { ["runtime.txt"] = "python-3.8", ["requirements.txt"] = "six\n" });

        Assert.Equal("PythonBuildPack", plan.BuildPackName);
        Assert.Equal("3.8", plan.CondaPython);
        AssertInOrder(lines, Micromamba, "&& \"${MAMBA_EXE}\" create --yes --prefix \"${NB_PYTHON_PREFIX}\" python=3.8 ", "RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements.txt\"", CopyRepo);
    }

    [Fact]
    public void RuntimePython27_SeparateKernelEnvironmentBesideADefaultServer()
    {
        var (plan, lines) = Build(new() { ["runtime.txt"] = "python-2.7" });

        Assert.Equal("2.7", plan.CondaPython);
        Assert.Contains("    KERNEL_PYTHON_PREFIX=/srv/conda/envs/kernel \\", lines);
        AssertInOrder(lines,
            "&& \"${MAMBA_EXE}\" create --yes --prefix \"${NB_PYTHON_PREFIX}\" python=3.10 ",
            "&& \"${MAMBA_EXE}\" create --yes --prefix \"${KERNEL_PYTHON_PREFIX}\" python=2.7 pip ipykernel",
            "&& \"${KERNEL_PYTHON_PREFIX}/bin/python\" -m ipykernel install --prefix \"${NB_PYTHON_PREFIX}\"");
    }

    private const string ServerPip = "RUN ${NB_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements3.txt\"";
    private const string KernelPip = "RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"requirements.txt\"";

    [Fact]
    public void RuntimePython27_Requirements3IntoTheServerEnvironment_BeforeTheKernelsRequirements()
    {
        var (plan, lines) = Build(new() { ["runtime.txt"] = "python-2.7", ["requirements3.txt"] = "nbgitpuller\n", ["requirements.txt"] = "six\n" });

        Assert.Equal("requirements3.txt", plan.Requirements3);
        AssertInOrder(lines,
            "COPY --chown=1000:1000 src/requirements3.txt ${REPO_DIR}/requirements3.txt",
            ServerPip,
            "COPY --chown=1000:1000 src/requirements.txt ${REPO_DIR}/requirements.txt",
            KernelPip,
            CopyRepo);
        Assert.Equal("USER ${NB_USER}", UserAt(lines, IndexOf(lines, ServerPip)));
    }

    [Fact]
    public void Requirements3_WithoutLegacyKernel_NotInstalled()
    {
        var (_, lines) = Build(new() { ["runtime.txt"] = "python-3.8", ["requirements3.txt"] = "nbgitpuller\n" });

        Assert.DoesNotContain(lines, l => l.Contains("requirements3.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void Requirements3_LocalReference_BothPipStepsAfterTheCopy()
    {
        var (plan, lines) = Build(new() { ["runtime.txt"] = "python-2.7", ["requirements3.txt"] = "-e .\n", ["requirements.txt"] = "six\n" });

        Assert.True(plan.RequirementsAfterCopy);
        AssertInOrder(lines, CopyRepo, ServerPip, KernelPip);
    }

    [Fact]
    public void Pipfile_LegacyPython_Requirements3AfterTheCopyBeforePipenv()
    {
        var (_, lines) = Build(new() { ["Pipfile"] = "[requires]\npython_version = \"2.7\"\n", ["requirements3.txt"] = "nbgitpuller\n" });

        AssertInOrder(lines, CopyRepo, ServerPip, "RUN export PATH=\"${KERNEL_PYTHON_PREFIX}/bin:${PATH}\"");
    }

    [Fact]
    public void RuntimePython311_BaseImageFastPath()
    {
        var (plan, lines) = Build(new() { ["runtime.txt"] = "python-3.11" });

        Assert.Null(plan.CondaPython);
        IndexOf(lines, "RUN python3 -m venv --system-site-packages");
        Assert.DoesNotContain(lines, l => l.Contains("micromamba", StringComparison.Ordinal));
    }

    [Fact]
    public void RequiresPython_BaseTooOld_HighestSupportedPythonThatSatisfiesIt()
    {
        var (plan, _) = Build(new() { ["pyproject.toml"] = "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n" });

        Assert.Equal("3.14", plan.CondaPython);
    }

    [Fact]
    public void RequiresPython_BaseSatisfies_FastPath()
    {
        var (plan, _) = Build(new() { ["pyproject.toml"] = "[project]\nname = \"x\"\nrequires-python = \">=3.9,<3.13\"\n" });

        Assert.Null(plan.CondaPython);
    }

    [Fact]
    public void RequiresPython_RuntimeTxtOutsideIt_Error()
    {
        using var tree = new TempTree(new() { ["pyproject.toml"] = "[project]\nrequires-python = \">=3.12\"\n", ["runtime.txt"] = "python-3.10" });
        var (detected, _) = BuildPackDetector.Detect(tree.Root);

        var (plan, error) = PythonChoice.Resolve(Assert.IsType<BuildPlan.Python>(detected), BasePython);

        Assert.Null(plan);
        Assert.Contains("runtime.txt asks for Python 3.10", error);
        Assert.Contains(">=3.12", error);
    }

    [Fact]
    public void RequiresPython_InBinderDirectoryRepo_Ignored()
    {
        var (plan, _) = Build(new() { ["pyproject.toml"] = "[project]\nrequires-python = \">=3.12\"\n", ["binder/requirements.txt"] = "six\n" });

        Assert.Null(plan.RequiresPython);
        Assert.Null(plan.CondaPython);
    }

    [Fact]
    public void EveryGeneratedImage_LoginShellPathRestoredAndVersionLabelled()
    {
        var (_, lines) = Build(new() { ["requirements.txt"] = "six\n" });

        Assert.Contains("RUN printf 'export PATH=\"%s\"\\n' \"${PATH}\" > /etc/profile.d/00-binderorleans-path.sh", lines);
        Assert.Contains("      repo2docker.version=\"binderorleans-0.1.0\"", lines);
        Assert.StartsWith("#!/bin/bash -l\n", EntrypointScript.Text);
    }
}
