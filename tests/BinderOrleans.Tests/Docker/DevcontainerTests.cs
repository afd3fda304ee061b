using BinderOrleans.Docker.Buildpacks;

namespace BinderOrleans.Tests.Docker;

/// <summary>devcontainer.json: where it stands in the detection order, what it becomes, and what is refused.</summary>
public sealed class DevcontainerTests
{
    private static readonly DockerfileSettings Settings = new(
        "binderorleans-base:bookworm",
        new Dictionary<string, string> { ["repo2docker.ref"] = "abc123" },
        new Dictionary<string, string> { ["org.example.site"] = "x" });

    private static (BuildPlan? Plan, string? Error) Detect(Dictionary<string, string> files)
    {
        using var tree = new TempTree(files);
        return BuildpackDetector.Detect(tree.Root, new DateOnly(2026, 12, 1));
    }

    private static BuildPlan.Devcontainer Devcontainer(Dictionary<string, string> files)
    {
        var (plan, error) = Detect(files);
        Assert.Null(error);
        return Assert.IsType<BuildPlan.Devcontainer>(plan);
    }

    private const string ImageConfig = """
        // A dev container on the notebook base image.
        {
          "name": "demo", /* block comments too */
          "image": "binderorleans-base:bookworm",
          "containerEnv": { "DEMO_MODE": "on", },
          "remoteEnv": { "PATH": "${containerEnv:PATH}:${containerWorkspaceFolder}/bin" },
          "customizations": { "vscode": { "extensions": ["ms-python.python"] } },
          "forwardPorts": [8888],
          "onCreateCommand": "echo created > /tmp/created",
          "postCreateCommand": ["python3", "-c", "print('hi')"],
        }
        """;

    [Fact]
    public void Jsonc_ImageAndCommands_RenderedInLifecycleOrderAsTheNotebookUser()
    {
        var plan = Devcontainer(new() { [".devcontainer/devcontainer.json"] = ImageConfig, ["index.ipynb"] = "{}" });

        Assert.Equal("DevcontainerBuildPack", plan.BuildpackName);
        var lines = DevcontainerDockerfile.Render(plan, Settings).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(
        [
            "FROM binderorleans-base:bookworm",
            "LABEL org.example.site=\"x\"",
            "USER root",
            "RUN if ! grep -q '^[^:]*:[^:]*:1000:' /etc/passwd; then \\",
            "      useradd --no-log-init --create-home --uid 1000 --shell /bin/sh jovyan 2>/dev/null || adduser -D -u 1000 jovyan; \\",
            "    fi",
            "ENV DEMO_MODE=\"on\" \\",
            "    PATH=\"${PATH}:/home/jovyan/bin\"",
            "COPY --chown=1000 .binderorleans/src/ /home/jovyan/",
            "WORKDIR /home/jovyan",
            "USER 1000",
            "RUN echo created > /tmp/created",
            "RUN [\"python3\",\"-c\",\"print(\\u0027hi\\u0027)\"]",
            "LABEL repo2docker.ref=\"abc123\"",
        ], lines);
    }

    [Fact]
    public void BuildDockerfile_ContextArgsTarget_ContinuesTheTargetStage()
    {
        var plan = Devcontainer(new()
        {
            [".devcontainer/devcontainer.json"] = """
                { "build": { "dockerfile": "Dockerfile", "context": "..", "args": { "VARIANT": "3.11", "N": 2 }, "target": "dev" },
                  "remoteUser": "vscode", "workspaceFolder": "/workspaces/demo",
                  "postCreateCommand": { "a": "make setup", "b": ["pip", "install", "-e", "."] } }
                """,
            [".devcontainer/Dockerfile"] = "FROM binderorleans-base:bookworm AS dev\nARG VARIANT\nFROM dev AS release",
        });

        Assert.Equal(".devcontainer/Dockerfile", plan.DockerfilePath);
        Assert.Equal("", plan.Context);
        Assert.Equal(new Dictionary<string, string> { ["N"] = "2", ["VARIANT"] = "3.11" }, plan.BuildArgs);
        var text = DevcontainerDockerfile.Render(plan, Settings);
        Assert.StartsWith("FROM binderorleans-base:bookworm AS dev\nARG VARIANT\nFROM dev AS release\n", text);
        var lines = text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Skip(3).ToList();
        Assert.Equal("FROM dev", lines[0]);
        Assert.DoesNotContain(lines, l => l.StartsWith("RUN if ! grep", StringComparison.Ordinal));
        Assert.Contains("COPY --chown=vscode .binderorleans/src/ /workspaces/demo/", lines);
        var user = lines.IndexOf("USER vscode");
        Assert.True(user > lines.IndexOf("WORKDIR /workspaces/demo"));
        Assert.Equal(["RUN make setup", "RUN [\"pip\",\"install\",\"-e\",\".\"]"], lines.Skip(user + 1).Take(2));
    }

    [Fact]
    public void RootDevcontainerJson_Found()
    {
        Assert.Equal(".devcontainer.json", Devcontainer(new() { [".devcontainer.json"] = """{"image": "debian:12"}""" }).ConfigFile);
    }

    [Theory]
    [InlineData("requirements.txt")]
    [InlineData("binder/postBuild")]
    [InlineData("apt.txt")]
    [InlineData("runtime.txt")]
    public void Repo2DockerFilesWin_DevcontainerIgnored(string file)
    {
        var (plan, error) = Detect(new()
        {
            [".devcontainer/devcontainer.json"] = """{"image": "debian:12", "features": {}}""",
            [file] = file == "runtime.txt" ? "python-3.11\n" : "numpy\n",
        });

        Assert.Null(error);
        Assert.Equal("PythonBuildPack", plan!.BuildpackName);
    }

    [Fact]
    public void DockerfileWins_DevcontainerIgnored()
    {
        var (plan, _) = Detect(new() { [".devcontainer/devcontainer.json"] = """{"image": "debian:12"}""", ["Dockerfile"] = "FROM debian:12\n" });

        Assert.IsType<BuildPlan.Dockerfile>(plan);
    }

    [Theory]
    [InlineData("features", "\"features\": { \"ghcr.io/devcontainers/features/node:1\": {} }")]
    [InlineData("dockerComposeFile", "\"dockerComposeFile\": \"compose.yml\", \"service\": \"app\"")]
    [InlineData("initializeCommand", "\"initializeCommand\": \"echo on the host\"")]
    [InlineData("runArgs", "\"runArgs\": [\"--privileged\"]")]
    [InlineData("postStartCommand", "\"postStartCommand\": \"jupyter lab\"")]
    public void UnsupportedProperty_RefusedNamingFileLineAndProperty(string property, string json)
    {
        var (plan, error) = Detect(new() { [".devcontainer/devcontainer.json"] = "{\n  \"image\": \"debian:12\",\n  " + json + "\n}\n" });

        Assert.Null(plan);
        Assert.StartsWith($".devcontainer/devcontainer.json line 3: '{property}' is not supported by this builder: ", error);
    }

    [Theory]
    [InlineData("{\n  \"image\": \"debian:12\"\n  \"postCreateCommand\": \"x\"\n}", ".devcontainer/devcontainer.json line 3: not valid JSON")]
    [InlineData("{\n  \"name\": \"no image\"\n}", ".devcontainer/devcontainer.json line 1: needs 'image' or 'build.dockerfile'")]
    [InlineData("{\"build\": {\"dockerfile\": \"../../Dockerfile\"}}", ".devcontainer/devcontainer.json line 1: 'build.dockerfile' points outside the repository.")]
    [InlineData("{\"build\": {\"dockerfile\": \"Missing.Dockerfile\"}}", ".devcontainer/devcontainer.json line 1: 'build.dockerfile' names .devcontainer/Missing.Dockerfile, which is not in the repository.")]
    [InlineData("{\"image\": \"debian:12\",\n\"remoteUser\": \"root\"}", ".devcontainer/devcontainer.json line 2: 'remoteUser' must name a user other than root")]
    [InlineData("{\"image\": \"debian:12\",\n\"containerEnv\": {\"HOME_DIR\": \"${localEnv:HOME}\"}}", ".devcontainer/devcontainer.json line 2: 'HOME_DIR' refers to the local machine")]
    [InlineData("{\"image\": \"debian:12\",\n\"postCreateCommand\": 42}", ".devcontainer/devcontainer.json line 2: 'postCreateCommand' must be a string")]
    public void MalformedOrUnbuildable_FileAndLine(string json, string expected)
    {
        var (plan, error) = Detect(new() { [".devcontainer/devcontainer.json"] = json });

        Assert.Null(plan);
        Assert.StartsWith(expected, error);
    }

    [Fact]
    public void Context_ConfigurationContextAtRoot_RepositoryUnderSrc()
    {
        using var tree = new TempTree(new()
        {
            [".devcontainer/Dockerfile"] = "FROM x\n",
            [".devcontainer/.dockerignore"] = "secret.txt\n",
            [".devcontainer/secret.txt"] = "s",
            ["notebook.ipynb"] = "{}",
        });

        var context = BuildContext.ForDevcontainer("FROM x\n", tree.Root, ".devcontainer", DockerIgnore.Empty);

        Assert.Equal(
        [
            ".binderorleans/", ".binderorleans/Dockerfile", ".binderorleans/src/", ".binderorleans/src/.devcontainer/", ".binderorleans/src/.devcontainer/.dockerignore",
            ".binderorleans/src/.devcontainer/Dockerfile", ".binderorleans/src/.devcontainer/secret.txt", ".binderorleans/src/notebook.ipynb", "Dockerfile",
        ], context.Paths);
    }
}
