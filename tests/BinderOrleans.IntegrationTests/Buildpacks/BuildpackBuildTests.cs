using BinderOrleans.Docker.Engine;
using System.Text;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Buildpacks;
using BinderOrleans.Docker.Launches;
using BinderOrleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Security.Cryptography;

namespace BinderOrleans.IntegrationTests.Buildpacks;

/// <summary>
/// Generated Dockerfiles built for real on the local engine, on the Debian base image. Debian's mirror is the only
/// package source this machine reaches: Python, pipenv and R come from it; micromamba and Julia are stand-ins served
/// from 127.0.0.1 at the configured download URLs, which record how the build called them.
/// </summary>
[Collection(BuildpackBuildCollection.Name)]
public sealed class BuildpackBuildTests(BuildpackBuildFixture fixture) : IDisposable
{
    private GitRepo? _repo;

    public void Dispose() => _repo?.Dispose();

    [Fact]
    public async Task Python_AptLineLoginShellAndVersionLabel_AsRepo2docker()
    {
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["apt.txt"] = "less file   # two packages on one line\n",
            ["postBuild"] = "#!/bin/bash\nset -e\necho 'export BINDER_FROM_PROFILE=from-login-shell' >> ~/.bash_profile\n",
            ["index.ipynb"] = "{}",
        });
        var request = fixture.Request(_repo, "parity");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        BuildpackBuildFixture.AssertBuilt(events);
        var image = await fixture.InspectAsync(request.ImageName);
        Assert.Equal(DockerLabels.BuilderVersion, image.Config!.Labels![DockerLabels.Version]);
        var (exit, output) = await fixture.RunAsync(request.ImageName, "bash", "-c", "echo \"mark=$BINDER_FROM_PROFILE\"; command -v python3 less file");
        Assert.Equal(0, exit);
        // What postBuild left for the login shell reached the command, and the image's PATH (the venv first) survived /etc/profile.
        Assert.Equal(["mark=from-login-shell", "/srv/venv/bin/python3", "/usr/bin/less", "/usr/bin/file"], Lines(output));
    }

    [Fact]
    public async Task FailingAptStep_FailedEventCarriesAptsErrorLine()
    {
        _repo = GitRepo.Create(new Dictionary<string, string> { ["apt.txt"] = "nosuchpackage-binderorleans\n" });
        var request = fixture.Request(_repo, "aptfail");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        var failed = Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.Same(failed, events[^1]);
        Assert.StartsWith("Error during build: The command '/bin/sh -c apt-get -qq update", failed.Message);
        // apt's own error line: "Unable to locate package …", or "Failed to fetch …" when the Debian mirror did not answer.
        Assert.Matches(@"\nE: (Unable to locate package nosuchpackage-binderorleans|Failed to fetch|Some index files failed)", failed.Message);
        Assert.Empty(fixture.Sandbox.LeftoverWork());
        using var timeout = new CancellationTokenSource(BuildpackBuildFixture.CallTimeout);
        Assert.Null(await fixture.Engine.FindImageAsync(request.ImageName, timeout.Token));
    }

    [Fact]
    public async Task Pipfile_DebianPipenvInstallsFromThePipfilesSource()
    {
        var index = fixture.Serve("/pypi/binderdemo/", Encoding.UTF8.GetBytes(
            "<!DOCTYPE html><html><body><a href=\"/wheels/binderdemo-0.1-py3-none-any.whl\">binderdemo-0.1-py3-none-any.whl</a></body></html>"));
        fixture.Serve("/wheels/binderdemo-0.1-py3-none-any.whl", StandIns.Wheel("binderdemo", "0.1", "from-pipfile"));
        var source = index[..index.IndexOf("binderdemo/", StringComparison.Ordinal)];
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Pipfile"] = $"[[source]]\nname = \"local\"\nurl = \"{source}\"\nverify_ssl = false\n\n[packages]\nbinderdemo = \"*\"\n\n[requires]\npython_version = \"3.11\"\n",
            ["requirements.txt"] = "ignored-by-the-pipfile-buildpack==1\n",
        });
        var request = fixture.Request(_repo, "pipfile");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        BuildpackBuildFixture.AssertBuilt(events);
        Assert.Contains(events, e => e.Message == "Using PipfileBuildPack builder\n");
        var (exit, output) = await fixture.RunAsync(request.ImageName, "python3", "-c", "import binderdemo, sys; print(binderdemo.VALUE, sys.prefix)");
        Assert.Equal(0, exit);
        Assert.Equal(["from-pipfile /srv/venv"], Lines(output));
    }

    [Fact]
    public async Task CondaAndJulia_StandInsAtConfiguredUrls_RecordRepo2dockersInvocationAndLayout()
    {
        var sources = JuliaSources("""{"1.9.4": {"stable": true}, "1.10.4": {"stable": true}, "1.11.2": {"stable": true}, "1.12.0-rc1": {"stable": false}}""");
        sources.MicromambaUrl = fixture.Serve("/conda/micromamba-2.8.1-0.tar.bz2", StandIns.Micromamba());
        sources.CondaChannelAlias = new Uri(fixture.FileServer, "conda-mirror").AbsoluteUri;
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Project.toml"] = "name = \"Demo\"\n\n[compat]\njulia = \"~1.10\"\n",
            ["environment.yml"] = "name: ignored\ndependencies:\n  - numpy\n",
        });
        var request = fixture.Request(_repo, "condajulia");

        var events = await fixture.BuildAsync(fixture.Builder(sources), request);

        BuildpackBuildFixture.AssertBuilt(events);
        Assert.Contains(events, e => e.Message == "Using JuliaProjectTomlBuildPack builder\n");
        var (exit, output) = await fixture.RunAsync(request.ImageName, "bash", "-c",
            "cat /srv/conda/stand-in.log /srv/julia/pkg/stand-in.log /srv/conda/.condarc; stat -c '%u %n' /srv/conda/envs/notebook /srv/julia/pkg; command -v python3 julia; echo \"JULIA_PROJECT=$JULIA_PROJECT\"");
        Assert.Equal(0, exit);
        var lines = Lines(output);
        var alias = sources.CondaChannelAlias;
        Assert.Equal(
        [
            $"micromamba create --yes --prefix /srv/conda/envs/notebook python=3.10 {PythonDockerfile.NotebookPackages} [user=root]",
            "micromamba clean --all --force-pkgs-dirs --yes [user=root]",
            "micromamba env update --yes --prefix /srv/conda/envs/notebook --file environment.yml [user=jovyan]",
            "micromamba clean --all --force-pkgs-dirs --yes [user=jovyan]",
            "micromamba list --prefix /srv/conda/envs/notebook [user=jovyan]",
            "julia -e using Pkg; Pkg.add(\"IJulia\"); using IJulia; installkernel(\"Julia\", \"--project=/home/jovyan\") [JULIA_PROJECT=] [user=jovyan]",
            "julia --project=/home/jovyan -e using Pkg; Pkg.instantiate(); Pkg.resolve(); Pkg.instantiate() [JULIA_PROJECT=/home/jovyan] [user=jovyan]",
            $"channel_alias: {alias}",
            "channels:",
            "  - conda-forge",
            "auto_update_conda: false",
            "show_channel_urls: true",
            "update_dependencies: false",
            "1000 /srv/conda/envs/notebook",
            "1000 /srv/julia/pkg",
            "/srv/conda/envs/notebook/bin/python3",
            "/srv/julia/bin/julia",
            "JULIA_PROJECT=/home/jovyan",
        ], lines);
        Assert.Contains("/julia/versions.json", fixture.Requests);
        Assert.Contains("/conda/micromamba-2.8.1-0.tar.bz2", fixture.Requests);
        Assert.Contains("/julia/1.10/julia-1.10.4-linux-x86_64.tar.gz", fixture.Requests);
    }

    [Fact]
    public async Task PipFailure_SdistsBuildRequirementsOnNoIndex_FailedEventCarriesPipsCauseLine()
    {
        var sources = new BuildpackOptions
        {
            PipIndexUrl = fixture.ServePipIndex(("needsbuild", "needsbuild-1.0.tar.gz", StandIns.Sdist("needsbuild", "1.0",
                "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"needsbuild\"\nversion = \"1.0\"\n"))),
        };
        _repo = GitRepo.Create(new Dictionary<string, string> { ["requirements.txt"] = "needsbuild\n" });
        var request = fixture.Request(_repo, "pipcause");

        var events = await fixture.BuildAsync(fixture.Builder(sources), request);

        var failed = Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.Same(failed, events[^1]);
        // pip's own last words here are "error: subprocess-exited-with-error"; the cause is in the output it framed.
        Assert.Contains(events, e => e.Message?.Contains("subprocess-exited-with-error", StringComparison.Ordinal) == true && e.Phase == BinderPhase.Building);
        Assert.EndsWith("\nERROR: No matching distribution found for setuptools>=61", failed.Message!.TrimEnd('\n'));
        Assert.Contains("/bin/pip install --no-cache-dir -r \"requirements.txt\"", failed.Message);
        Assert.Empty(fixture.Sandbox.LeftoverWork());
    }

    [Fact]
    public async Task Conda_EnvironmentPipSection_InstalledByEnvUpdate()
    {
        var sources = new BuildpackOptions
        {
            MicromambaUrl = fixture.Serve("/conda/micromamba-2.8.1-0.tar.bz2", StandIns.Micromamba()),
            PipIndexUrl = fixture.ServePipIndex(("binderdemo", StandIns.WheelFileName("binderdemo", "0.2"), StandIns.Wheel("binderdemo", "0.2", "from-the-pip-section"))),
        };
        var files = new Dictionary<string, string> { ["environment.yml"] = "name: demo\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n      - binderdemo==0.2\n" };

        var output = await BuildThenRunAsync("condapip", files, sources, "CondaBuildPack",
            "grep -F 'env update' /srv/conda/stand-in.log; python3 -c 'import binderdemo, sys; print(binderdemo.VALUE, sys.prefix)'");

        Assert.Equal(
        [
            "micromamba env update --yes --prefix /srv/conda/envs/notebook --file environment.yml [user=jovyan]",
            "from-the-pip-section /srv/conda/envs/notebook",
        ], output);
    }

    [Fact]
    public async Task Python27_Requirements3InTheServerEnvironment_RequirementsInTheKernels()
    {
        var sources = new BuildpackOptions
        {
            MicromambaUrl = fixture.Serve("/conda/micromamba-2.8.1-0.tar.bz2", StandIns.Micromamba()),
            PipIndexUrl = fixture.ServePipIndex(
                ("serverdemo", StandIns.WheelFileName("serverdemo", "1.0"), StandIns.Wheel("serverdemo", "1.0", "server")),
                ("kerneldemo", StandIns.WheelFileName("kerneldemo", "1.0"), StandIns.Wheel("kerneldemo", "1.0", "kernel"))),
        };
        var files = new Dictionary<string, string> { ["runtime.txt"] = "python-2.7\n", ["requirements3.txt"] = "serverdemo\n", ["requirements.txt"] = "kerneldemo\n" };
        // The stand-in's environments are venvs of the base image's Python: which one holds which package is what counts.
        const string Probe = "import importlib.util as u, sys; print(sys.prefix, *[m for m in ('serverdemo', 'kerneldemo') if u.find_spec(m)])";

        var output = await BuildThenRunAsync("requirements3", files, sources, "PythonBuildPack",
            $"/srv/conda/envs/notebook/bin/python -c \"{Probe}\"; /srv/conda/envs/kernel/bin/python -c \"{Probe}\"");

        Assert.Equal(["/srv/conda/envs/notebook serverdemo", "/srv/conda/envs/kernel kerneldemo"], output);
    }

    [Fact]
    public async Task Julia_JuliaProjectTomlBesideProjectToml_ItsCompatChoosesJulia()
    {
        // Only 1.10.4 is served: a build that read Project.toml's compat would fail to download 1.9.4.
        var sources = JuliaSources("""{"1.9.4": {"stable": true}, "1.10.4": {"stable": true}}""");
        var files = new Dictionary<string, string>
        {
            ["Project.toml"] = "name = \"Demo\"\n\n[compat]\njulia = \"~1.9\"\n",
            ["JuliaProject.toml"] = "name = \"Demo\"\n\n[compat]\njulia = \"~1.10\"\n",
        };

        var output = await BuildThenRunAsync("juliaproject", files, sources, "JuliaProjectTomlBuildPack", "echo \"$JULIA_VERSION $JULIA_PROJECT\"");

        Assert.Equal(["1.10.4 /home/jovyan"], output);
    }

    [Fact]
    public async Task R_DatedRuntimeForDebiansRelease_DebianRIRkernelSnapshot_RStudioAndShinyServedAtTheirUrlPaths()
    {
        // Debian 12's r-base is 4.2: the Debian path, no download. The snapshot URL is written, not fetched (no CRAN here).
        // RStudio Server, Shiny Server and the proxies are stand-ins from 127.0.0.1, at the configured URLs and index.
        var rstudio = StandIns.RStudioServerDeb();
        var shiny = StandIns.ShinyServerDeb();
        var sources = new BuildpackOptions
        {
            RStudioUrl = fixture.Serve("/posit/rstudio-server-2026.07.1-147-amd64.deb", rstudio),
            RStudioSha256 = Convert.ToHexStringLower(SHA256.HashData(rstudio)),
            ShinyServerUrl = fixture.Serve("/posit/shiny-server-1.5.23.1030-amd64.deb", shiny),
            ShinyServerSha256 = Convert.ToHexStringLower(SHA256.HashData(shiny)),
            PipIndexUrl = fixture.ServePipIndex(StandIns.JupyterServerProxyWheel(), StandIns.RSessionProxyWheel(), StandIns.ShinyProxyWheel()),
        };
        _repo = GitRepo.Create(new Dictionary<string, string> { ["runtime.txt"] = "r-4.2-2024-01-15\n", ["analysis.R"] = "x <- 1\n" });
        var request = fixture.Request(_repo, "rbase");

        var events = await fixture.BuildAsync(fixture.Builder(sources), request);

        BuildpackBuildFixture.AssertBuilt(events);
        Assert.Contains(events, e => e.Message == "Using RBuildPack builder\n");
        var (exit, output) = await fixture.RunAsync(request.ImageName, "bash", "-c",
            "Rscript -e 'cat(R.version$major, R.version$minor, \"\\n\"); cat(getOption(\"repos\")[[\"CRAN\"]], \"\\n\"); cat(.libPaths()[1], \"\\n\"); cat(requireNamespace(\"shiny\", quietly = TRUE), \"\\n\")'; "
            + "python3 -m jupyter kernelspec list 2>/dev/null | grep -c '^ *ir '; cat /etc/rstudio/rsession.conf; stat -c '%U' /var/log/shiny-server /var/lib/shiny-server");
        Assert.Equal(0, exit);
        Assert.Equal(
        [
            "4 2.2",
            "https://packagemanager.posit.co/cran/__linux__/bookworm/2024-01-15",
            "/srv/rlibs",
            "TRUE",
            "1",
            "r-cran-repos=https://packagemanager.posit.co/cran/__linux__/bookworm/2024-01-15",
            "jovyan",
            "jovyan",
        ], Lines(output).Select(l => l.Trim()).ToList());

        // Launched as a server: ?urlpath=rstudio and ?urlpath=shiny send the browser to <server>rstudio?token=… and
        // <server>shiny?token=…, where the proxies start RStudio Server and Shiny Server (as the notebook user).
        var launcher = new DockerLauncher(fixture.Engine, NotebookStatusClient.Create(), Options.Create(new DockerOptions
        {
            Proxy = false,
            Labels = new() { [DockerSandbox.LabelKey] = fixture.Sandbox.RunId },
            ServerNetwork = fixture.Sandbox.Network,
            LaunchTimeout = TimeSpan.FromSeconds(60),
        }), TimeProvider.System, NullLogger<DockerLauncher>.Instance);
        BinderEvent? ready = null;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            await foreach (var e in launcher.LaunchAsync(Docker.LauncherTests.Request() with { ImageName = request.ImageName }, timeout.Token)) ready = e;
        }
        Assert.Equal(BinderPhase.Ready, ready?.Phase);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, CookieContainer = new System.Net.CookieContainer() }) { Timeout = TimeSpan.FromSeconds(30) };
            var server = new Uri(ready!.Url!);
            var rstudioPage = await http.GetStringAsync(new Uri(server, "rstudio?token=" + ready.Token));
            Assert.StartsWith("rstudio stand-in as jovyan: --auth-none=1 --www-frame-origin=same --www-port=", rstudioPage);
            Assert.EndsWith(" --server-user=jovyan\n", rstudioPage);
            Assert.Equal("shiny stand-in: site_dir=/home/jovyan\n", await http.GetStringAsync(new Uri(server, "shiny?token=" + ready.Token)));
            // Without the token the notebook server keeps them closed.
            using var anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
            using var refused = await anonymous.GetAsync(new Uri(server, "rstudio/"));
            Assert.NotEqual(System.Net.HttpStatusCode.OK, refused.StatusCode);
        }
        finally
        {
            using var stop = new CancellationTokenSource(BuildpackBuildFixture.CallTimeout);
            await launcher.StopAsync(ready!.Server!, stop.Token);
        }
    }

    /// <summary>
    /// Builds a repository of <paramref name="files"/>, which must succeed with <paramref name="buildpack"/>, then runs
    /// <paramref name="script"/> with bash in the image (it must exit 0); returns its output lines.
    /// </summary>
    private async Task<List<string>> BuildThenRunAsync(string name, Dictionary<string, string> files, BuildpackOptions sources, string buildpack, string script)
    {
        _repo = GitRepo.Create(files);
        var request = fixture.Request(_repo, name);
        var events = await fixture.BuildAsync(fixture.Builder(sources), request);
        BuildpackBuildFixture.AssertBuilt(events);
        Assert.Contains(events, e => e.Message == $"Using {buildpack} builder\n");
        var (exit, output) = await fixture.RunAsync(request.ImageName, "bash", "-c", script);
        Assert.True(exit == 0, output);
        return Lines(output);
    }

    /// <summary>Julia's settings at the file server: <paramref name="versionsJson"/> as versions.json, only the 1.10.4 stand-in downloadable.</summary>
    private BuildpackOptions JuliaSources(string versionsJson)
    {
        fixture.Serve("/julia/1.10/julia-1.10.4-linux-x86_64.tar.gz", StandIns.Julia("1.10.4"));
        return new BuildpackOptions
        {
            JuliaVersionsUrl = fixture.Serve("/julia/versions.json", Encoding.UTF8.GetBytes(versionsJson)),
            JuliaDownloadUrl = new Uri(fixture.FileServer, "julia/{minor}/julia-{version}-linux-x86_64.tar.gz").AbsoluteUri.Replace("%7B", "{").Replace("%7D", "}"),
        };
    }

    private static List<string> Lines(string output) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
}

/// <summary>Malformed environment files end the build before the engine is asked for anything.</summary>
[Collection(BuildpackBuildCollection.Name)]
public sealed class BuildpackBadInputTests(BuildpackBuildFixture fixture) : IDisposable
{
    private GitRepo? _repo;

    public void Dispose() => _repo?.Dispose();

    [Theory]
    [InlineData("environment.yml", "dependencies:\n  - numpy\n   - pandas: [\n", "environment.yml line 3")]
    [InlineData("binder/Pipfile", "[packages]\nsix = \n", "binder/Pipfile line 2")]
    [InlineData("DESCRIPTION", "Package: demo\nnot a field\n", "DESCRIPTION line 2")]
    [InlineData("runtime.txt", "python3.11\n", "Invalid runtime.txt: 'python3.11' (line 1)")]
    public async Task MalformedFile_FailedEventNamesFileAndLine_NothingBuilt(string file, string content, string expected)
    {
        _repo = GitRepo.Create(new Dictionary<string, string> { [file] = content, ["index.ipynb"] = "{}" });
        var request = fixture.Request(_repo, "badinput");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        var failed = Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.Same(failed, events[^1]);
        Assert.StartsWith($"Error during build: {expected}", failed.Message);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Building);
        Assert.Empty(fixture.Sandbox.LeftoverWork());
        using var timeout = new CancellationTokenSource(BuildpackBuildFixture.CallTimeout);
        Assert.Null(await fixture.Engine.FindImageAsync(request.ImageName, timeout.Token));
    }
}

/// <summary>devcontainer.json built for real on the local engine, from the notebook base image (available offline).</summary>
[Collection(BuildpackBuildCollection.Name)]
public sealed class DevcontainerBuildTests(BuildpackBuildFixture fixture) : IDisposable
{
    private GitRepo? _repo;

    public void Dispose() => _repo?.Dispose();

    [Fact]
    public async Task Image_PostCreateCommandRunsAsTheNotebookUser_InTheRepository()
    {
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            [".devcontainer/devcontainer.json"] = $$"""
                {
                  // JSONC, as editors write it
                  "image": "{{Core.Options.BuildOptions.DefaultBaseImage}}",
                  "containerEnv": { "DEMO_MODE": "on" },
                  "postCreateCommand": "echo \"$(id -un) $(pwd) $DEMO_MODE $(cat data.txt)\" > created.txt",
                  "customizations": { "vscode": { "extensions": ["ms-toolsai.jupyter"] } },
                }
                """,
            ["data.txt"] = "from-the-repository",
        });
        var request = fixture.Request(_repo, "devcontainer");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        BuildpackBuildFixture.AssertBuilt(events);
        Assert.Contains(events, e => e.Message == "Using DevcontainerBuildPack builder\n");
        var (exit, output) = await fixture.RunAsync(request.ImageName, "sh", "-c", "cat created.txt; stat -c '%U' created.txt; id -un; python3 -c 'import notebook'");
        Assert.Equal(0, exit);
        Assert.Equal(["jovyan /home/jovyan on from-the-repository", "jovyan", "jovyan"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(_repo.Head, (await fixture.InspectAsync(request.ImageName)).Config!.Labels![DockerLabels.Ref]);
    }

    [Fact]
    public async Task BuildDockerfile_ContextAndArgs_TheRepositoryOnTopOfIt()
    {
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            [".devcontainer/devcontainer.json"] = """{ "build": { "dockerfile": "Dockerfile", "args": { "GREETING": "hello-from-args" } }, "postCreateCommand": ["sh", "-c", "cat /etc/greeting > greeting.txt"] }""",
            [".devcontainer/Dockerfile"] = $"FROM {Core.Options.BuildOptions.DefaultBaseImage}\nARG GREETING\nCOPY context-file.txt /etc/context-file.txt\nRUN echo \"$GREETING\" > /etc/greeting\n",
            [".devcontainer/context-file.txt"] = "only-in-the-devcontainer-context\n",
            ["notebook.ipynb"] = "{}",
        });
        var request = fixture.Request(_repo, "devcontainerfile");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        BuildpackBuildFixture.AssertBuilt(events);
        var (exit, output) = await fixture.RunAsync(request.ImageName, "sh", "-c", "cat greeting.txt /etc/context-file.txt; ls notebook.ipynb; id -u");
        Assert.Equal(0, exit);
        Assert.Equal(["hello-from-args", "only-in-the-devcontainer-context", "notebook.ipynb", "1000"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Features_RefusedBeforeTheEngineIsAsked()
    {
        _repo = GitRepo.Create(new Dictionary<string, string>
        {
            [".devcontainer/devcontainer.json"] = "{\n  \"image\": \"debian:12\",\n  \"features\": { \"ghcr.io/devcontainers/features/python:1\": {} }\n}\n",
        });
        var request = fixture.Request(_repo, "devcontainerfeatures");

        var events = await fixture.BuildAsync(fixture.Builder(), request);

        var failed = Assert.Single(events, e => e.Phase == BinderPhase.Failed);
        Assert.StartsWith("Error during build: .devcontainer/devcontainer.json line 3: 'features' is not supported by this builder", failed.Message);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Building);
        Assert.Empty(fixture.Sandbox.LeftoverWork());
    }
}
