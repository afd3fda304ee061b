using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

public sealed class PythonDockerfileTests
{
    private static readonly DockerfileSettings Settings = new(
        "binderorleans-base:bookworm",
        new Dictionary<string, string> { ["repo2docker.repo"] = "file:///tmp/r", ["repo2docker.ref"] = "abc123" },
        new Dictionary<string, string> { ["org.example.owner"] = "ops" });

    private static readonly BuildPlan.Python Full = new()
    {
        BinderDirectory = "binder",
        AptPackages = ["cowsay", "sl"],
        Requirements = "binder/requirements.txt",
        PostBuild = "binder/postBuild",
        Start = "binder/start",
    };

    private static List<string> Lines(string dockerfile) =>
        dockerfile.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    private static int IndexOf(List<string> lines, string start)
    {
        var i = lines.FindIndex(l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.True(i >= 0, $"no line starting with '{start}' in:\n{string.Join('\n', lines)}");
        return i;
    }

    [Fact]
    public void Render_FullPlan_EnvironmentThenEntrypointThenRepository()
    {
        var lines = Lines(PythonDockerfile.Render(Full, Settings));

        var order = new[]
        {
            IndexOf(lines, "FROM binderorleans-base:bookworm"),
            IndexOf(lines, "RUN python3 -m venv --system-site-packages"),
            IndexOf(lines, "WORKDIR ${REPO_DIR}"),
            IndexOf(lines, "RUN apt-get -qq update"),
            IndexOf(lines, "COPY --chown=1000:1000 src/binder/requirements.txt ${REPO_DIR}/binder/requirements.txt"),
            IndexOf(lines, "RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r \"binder/requirements.txt\""),
            IndexOf(lines, "ENV R2D_ENTRYPOINT=\"${REPO_DIR}/binder/start\""),
            IndexOf(lines, "ENTRYPOINT [\"/usr/local/bin/binder-entrypoint\"]"),
            IndexOf(lines, "EXPOSE 8888"),
            IndexOf(lines, "CMD [\"python3\", \"-m\", \"notebook\", \"--ip\", \"0.0.0.0\"]"),
            IndexOf(lines, "COPY --chown=1000:1000 src/ ${REPO_DIR}/"),
            IndexOf(lines, "RUN chmod +x binder/postBuild"),
            IndexOf(lines, " && ./binder/postBuild"),
            IndexOf(lines, " && chmod +x \"${REPO_DIR}/binder/start\""),
            IndexOf(lines, "LABEL repo2docker.ref=\"abc123\""),
        };

        Assert.Equal(order.Order(), order);
    }

    [Fact]
    public void Render_FullPlan_EditOfTheRepositoryRerunsTwoSteps()
    {
        // What a rebuild after a notebook edit runs again: everything from the repository's copy on.
        var lines = Lines(PythonDockerfile.Render(Full, Settings));
        var copy = IndexOf(lines, "COPY --chown=1000:1000 src/ ${REPO_DIR}/");

        var after = lines.Skip(copy + 1).Where(l => !l.StartsWith(' ')).ToList();

        Assert.Equal(["RUN chmod +x binder/postBuild \\", "LABEL repo2docker.ref=\"abc123\" \\"], after);
        Assert.Equal("USER ${NB_USER}", lines[copy - 1]);
    }

    [Fact]
    public void Render_AptLine_AllPackagesInOneRootRun()
    {
        var lines = Lines(PythonDockerfile.Render(Full, Settings));
        var apt = IndexOf(lines, "RUN apt-get -qq update");

        Assert.Equal("USER root", lines[apt - 1]);
        Assert.Contains(" && apt-get install --yes --no-install-recommends cowsay sl \\", lines);
    }

    [Fact]
    public void Render_PostBuild_RunsAsNotebookUser()
    {
        var lines = Lines(PythonDockerfile.Render(Full, Settings));
        var postBuild = IndexOf(lines, " && ./binder/postBuild");
        var lastUser = lines.Take(postBuild).Last(l => l.StartsWith("USER ", StringComparison.Ordinal));

        Assert.Equal("USER ${NB_USER}", lastUser);
    }

    [Fact]
    public void Render_RepoLabels_SortedAndAfterInstallSteps()
    {
        var text = PythonDockerfile.Render(Full with { RequirementsAfterCopy = true, IsPythonPackage = true }, Settings);
        var lines = Lines(text);

        var label = IndexOf(lines, "LABEL repo2docker.ref=\"abc123\"");
        Assert.Equal("      repo2docker.repo=\"file:///tmp/r\"", lines[label + 1]);
        Assert.True(IndexOf(lines, "RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir .") < label);
        Assert.True(IndexOf(lines, "RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r") > IndexOf(lines, "COPY --chown=1000:1000 src/ "));
    }

    [Fact]
    public void Render_OperatorLabels_RightAfterFrom()
    {
        var lines = Lines(PythonDockerfile.Render(Full, Settings));

        Assert.Equal("LABEL org.example.owner=\"ops\"", lines[IndexOf(lines, "FROM ") + 1]);
    }

    [Fact]
    public void Render_RequirementsWithLocalRefs_NoPreAssembleCopy()
    {
        var text = PythonDockerfile.Render(Full with { RequirementsAfterCopy = true }, Settings);

        Assert.DoesNotContain("src/binder/requirements.txt", text);
        Assert.Contains("pip install --no-cache-dir -r \"binder/requirements.txt\"", text);
    }

    [Fact]
    public void Render_NotebooksOnly_NoInstallSteps()
    {
        var text = PythonDockerfile.Render(new BuildPlan.Python(), Settings);

        Assert.DoesNotContain("apt-get install", text);
        Assert.DoesNotContain("pip install", text);
        Assert.DoesNotContain("postBuild", text);
        Assert.DoesNotContain("R2D_ENTRYPOINT=", text);
        Assert.Contains("COPY --chown=1000:1000 src/ ${REPO_DIR}/", text);
    }

    [Fact]
    public void Render_RootConfigFiles_PathsRelativeToRepoDir()
    {
        var text = PythonDockerfile.Render(new BuildPlan.Python { PostBuild = "postBuild", Start = "start" }, Settings);

        Assert.Contains("RUN chmod +x postBuild \\\n && ./postBuild", text);
        Assert.Contains("ENV R2D_ENTRYPOINT=\"${REPO_DIR}/start\"\n", text);
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("$HOME", "\"\\$HOME\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("two\nlines", "\"two lines\"")]
    public void Quote_SpecialCharacters_Escaped(string value, string expected) => Assert.Equal(expected, PythonDockerfile.Quote(value));
}
