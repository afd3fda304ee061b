using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

public sealed class BuildPackDetectorTests
{
    private static (BuildPlan? Plan, string? Error) Detect(Dictionary<string, string> files)
    {
        using var tree = new TempTree(files);
        return BuildPackDetector.Detect(tree.Root);
    }

    [Fact]
    public void Detect_OnlyNotebooks_PythonWithNothingToInstall()
    {
        var (plan, error) = Detect(new() { ["index.ipynb"] = "{}" });

        Assert.Null(error);
        var python = Assert.IsType<BuildPlan.Python>(plan);
        Assert.Equal("", python.BinderDirectory);
        Assert.Empty(python.AptPackages);
        Assert.Null(python.Requirements);
        Assert.Null(python.PostBuild);
        Assert.Null(python.Start);
        Assert.False(python.IsPythonPackage);
    }

    [Fact]
    public void Detect_BothBinderDirectories_ClearError()
    {
        var (plan, error) = Detect(new() { ["binder/apt.txt"] = "curl", [".binder/apt.txt"] = "less" });

        Assert.Null(plan);
        Assert.Contains("binder/", error);
        Assert.Contains(".binder/", error);
    }

    [Fact]
    public void Detect_BinderDirectory_HidesRootConfigFiles()
    {
        var (plan, _) = Detect(new()
        {
            ["requirements.txt"] = "six",
            ["apt.txt"] = "curl",
            ["postBuild"] = "#!/bin/sh\n",
            ["setup.py"] = "",
            ["binder/runtime.txt"] = "python-3",
        });

        var python = Assert.IsType<BuildPlan.Python>(plan);
        Assert.Equal("binder", python.BinderDirectory);
        Assert.Null(python.Requirements);
        Assert.Empty(python.AptPackages);
        Assert.Null(python.PostBuild);
        Assert.False(python.IsPythonPackage);
        Assert.Equal("3", python.PythonVersion);
    }

    [Fact]
    public void Detect_DotBinderDirectory_FilesReadFromIt()
    {
        var (plan, _) = Detect(new()
        {
            [".binder/requirements.txt"] = "six",
            [".binder/apt.txt"] = "sl\ncowsay",
            [".binder/postBuild"] = "#!/bin/sh\n",
            [".binder/start"] = "#!/bin/sh\nexec \"$@\"\n",
        });

        var python = Assert.IsType<BuildPlan.Python>(plan);
        Assert.Equal(".binder", python.BinderDirectory);
        Assert.Equal(".binder/requirements.txt", python.Requirements);
        Assert.Equal(["cowsay", "sl"], python.AptPackages);
        Assert.Equal(".binder/postBuild", python.PostBuild);
        Assert.Equal(".binder/start", python.Start);
    }

    [Fact]
    public void Detect_DockerfileInBinderDirectory_WinsOverEverythingElse()
    {
        var (plan, _) = Detect(new()
        {
            ["binder/Dockerfile"] = "FROM x\n",
            ["binder/requirements.txt"] = "six",
            ["binder/environment.yml"] = "dependencies: []",
        });

        Assert.Equal(new BuildPlan.Dockerfile("binder/Dockerfile"), plan);
    }

    [Fact]
    public void Detect_RootDockerfileWithBinderDirectory_Ignored()
    {
        var (plan, _) = Detect(new() { ["Dockerfile"] = "FROM x\n", ["binder/requirements.txt"] = "six" });

        Assert.IsType<BuildPlan.Python>(plan);
    }

    [Fact]
    public void Detect_LegacyBinderBase_Refused()
    {
        var (plan, error) = Detect(new() { ["Dockerfile"] = "FROM andrewosh/binder-base\n" });

        Assert.Null(plan);
        Assert.Contains("andrewosh/binder-base", error);
    }

    [Fact]
    public void Detect_RequirementsWithLocalReference_InstalledAfterTheCopy()
    {
        var (plan, _) = Detect(new() { ["requirements.txt"] = "-e .\n" });

        var python = Assert.IsType<BuildPlan.Python>(plan);
        Assert.Equal("requirements.txt", python.Requirements);
        Assert.True(python.RequirementsAfterCopy);
    }

    [Theory]
    [InlineData("setup.py", "from setuptools import setup\nsetup()")]
    [InlineData("pyproject.toml", "[project]\nname = \"x\"\n\n[build-system]\nrequires = [\"setuptools\"]\n")]
    public void Detect_RootPackage_PipInstallDotAndRequirementsAfterCopy(string file, string content)
    {
        var (plan, _) = Detect(new() { [file] = content, ["requirements.txt"] = "six" });

        var python = Assert.IsType<BuildPlan.Python>(plan);
        Assert.True(python.IsPythonPackage);
        Assert.True(python.RequirementsAfterCopy);
    }

    [Fact]
    public void Detect_PyprojectWithoutBuildSystem_NotAPackage()
    {
        var (plan, _) = Detect(new() { ["pyproject.toml"] = "[tool.black]\nline-length = 100\n" });

        Assert.False(Assert.IsType<BuildPlan.Python>(plan).IsPythonPackage);
    }

    [Theory]
    [InlineData("environment.yml", "dependencies: []\n", "CondaBuildPack")]
    [InlineData("Project.toml", "name = \"x\"\n", "JuliaProjectTomlBuildPack")]
    [InlineData("default.nix", "{}\n", "NixBuildPack")]
    [InlineData("Pipfile", "[packages]\n", "PipfileBuildPack")]
    [InlineData("DESCRIPTION", "Package: x\nVersion: 0.1\n", "RBuildPack")]
    public void Detect_OtherBuildpacks_PickedByTheirFile(string file, string content, string buildpack)
    {
        var (plan, error) = Detect(new() { [file] = content });

        Assert.Null(error);
        Assert.Equal(buildpack, plan!.BuildPackName);
    }

    [Fact]
    public void Detect_JuliaProjectAndProject_JuliaProjectWinsAsInJulia()
    {
        var (plan, error) = Detect(new()
        {
            ["Project.toml"] = "[compat]\njulia = \"1.9\"\n",
            ["JuliaProject.toml"] = "[compat]\njulia = \"~1.10\"\n",
        });

        Assert.Null(error);
        var julia = Assert.IsType<BuildPlan.Python>(plan).Julia!;
        Assert.Equal("JuliaProject.toml", julia.ProjectFile);
        Assert.Equal("~1.10", julia.Constraint);
    }

    [Fact]
    public void Detect_DatedRRuntime_R()
    {
        var (plan, _) = Detect(new() { ["runtime.txt"] = "r-4.3-2024-01-15" });

        Assert.Equal("RBuildPack", plan!.BuildPackName);
    }

    [Fact]
    public void Detect_UndatedRRuntime_IgnoredLikeRepo2docker()
    {
        var (plan, _) = Detect(new() { ["runtime.txt"] = "r-4.3" });

        Assert.Null(Assert.IsType<BuildPlan.Python>(plan).PythonVersion);
    }

    [Fact]
    public void Detect_InvalidRuntimeTxt_Error()
    {
        var (plan, error) = Detect(new() { ["runtime.txt"] = "python3.11" });

        Assert.Null(plan);
        Assert.StartsWith("Invalid runtime.txt", error);
    }

    [Fact]
    public void Detect_BadAptTxt_Error()
    {
        var (plan, error) = Detect(new() { ["apt.txt"] = "curl && rm -rf /" });

        Assert.Null(plan);
        Assert.Contains("apt.txt line 1", error);
    }
}
