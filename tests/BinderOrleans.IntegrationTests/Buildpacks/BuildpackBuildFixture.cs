using System.Collections.Concurrent;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers.Git;
using Docker.DotNet;
using Docker.DotNet.Models;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Buildpacks;
using BinderOrleans.Docker.Builds;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.IntegrationTests.Buildpacks;

/// <summary>
/// Real builds of generated Dockerfiles on the real engine, in a sandbox of their own (label + build folder), with a
/// file server on 127.0.0.1 standing in for the download URLs the <c>Buildpacks</c> settings name. Images built by
/// one test are reused as layer cache by the next; everything is removed at the end.
/// </summary>
public sealed class BuildpackBuildFixture : IAsyncLifetime
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private WebApplication? _server;

    public DockerSandbox Sandbox { get; } = new();

    internal IDockerClient Engine { get; } = DockerClientFactory.Create(new DockerOptions());

    /// <summary>Base address of the loopback file server, with a trailing slash.</summary>
    public Uri FileServer { get; private set; } = null!;

    /// <summary>Paths the file server was asked for, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = LoopbackHost.CreateBuilder();
        _server = builder.Build();
        _server.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "";
            Requests.Enqueue(path);
            if (!_files.TryGetValue(path, out var bytes))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            // pip reads an index page only when it says it is HTML.
            if (path.EndsWith('/')) context.Response.ContentType = "text/html";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        });
        FileServer = await LoopbackHost.StartAsync(_server);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        await Sandbox.DisposeAsync();
    }

    /// <summary>Serves <paramref name="bytes"/> at <paramref name="path"/> (starting with <c>/</c>).</summary>
    public string Serve(string path, byte[] bytes)
    {
        _files[path] = bytes;
        return new Uri(FileServer, path.TrimStart('/')).AbsoluteUri;
    }

    /// <summary>
    /// Serves a pip "simple" index at <c>/pypi/</c>: one project page per package linking its file under <c>/files/</c>.
    /// Returns the index URL, for <c>Buildpacks:PipIndexUrl</c>.
    /// </summary>
    public string ServePipIndex(params (string Project, string FileName, byte[] Bytes)[] packages)
    {
        foreach (var (project, fileName, bytes) in packages)
        {
            Serve($"/files/{fileName}", bytes);
            Serve($"/pypi/{project.ToLowerInvariant().Replace('_', '-').Replace('.', '-')}/", System.Text.Encoding.UTF8.GetBytes(
                $"<!DOCTYPE html><html><body><a href=\"/files/{fileName}\">{fileName}</a></body></html>"));
        }
        return new Uri(FileServer, "pypi/").AbsoluteUri;
    }

    /// <summary>
    /// Serves <paramref name="repo"/> over git's dumb HTTP protocol under <c>/git/{name}.git/</c> (its files as they are
    /// now), so a container in the host's network can clone it; returns the clone URL.
    /// </summary>
    public string ServeGit(GitRepo repo, string name)
    {
        repo.Git("update-server-info");
        var gitDirectory = Path.Combine(repo.Path, ".git");
        foreach (var file in Directory.EnumerateFiles(gitDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(gitDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
            _files[$"/git/{name}.git/{relative}"] = File.ReadAllBytes(file);
        }
        return new Uri(FileServer, $"git/{name}.git").AbsoluteUri;
    }

    private readonly SemaphoreSlim _standInLock = new(1, 1);
    private string? _repo2DockerStandIn;

    /// <summary>
    /// The repo2docker stand-in image (<see cref="StandIns.Repo2Docker"/>), built once from the base image with this
    /// run's label: <c>jupyter-repo2docker</c> on PATH, the real image's entrypoint-less shape.
    /// </summary>
    internal async Task<string> Repo2DockerStandInAsync()
    {
        await _standInLock.WaitAsync();
        try
        {
            if (_repo2DockerStandIn is { } built) return built;
            var tag = $"binderorleans-test-{Sandbox.RunId}-repo2docker-standin:latest";
            using var context = new MemoryStream();
            using (var tar = new System.Formats.Tar.TarWriter(context, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var (path, text, mode) in new[]
                {
                    ("Dockerfile", $"FROM {BuildOptions.DefaultBaseImage}\nCOPY jupyter-repo2docker /usr/local/bin/jupyter-repo2docker\n",
                        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
                    ("jupyter-repo2docker", StandIns.Repo2Docker(BuildOptions.DefaultBaseImage),
                        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute),
                })
                {
                    tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, path)
                    {
                        Mode = mode,
                        DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.Replace("\r", "", StringComparison.Ordinal))),
                    });
                }
            }
            context.Position = 0;
            using var timeout = new CancellationTokenSource(CallTimeout);
            string? error = null;
            await foreach (var message in Engine.BuildImageAsync(context, new ImageBuildParameters
            {
                Tags = [tag],
                Labels = new Dictionary<string, string> { [DockerSandbox.LabelKey] = Sandbox.RunId },
                NetworkMode = "none",
                Remove = true,
                ForceRemove = true,
            }, timeout.Token))
            {
                error ??= message.Error?.Message;
            }
            if (error is not null) throw new InvalidOperationException($"building the repo2docker stand-in failed: {error}");
            return _repo2DockerStandIn = tag;
        }
        finally
        {
            _standInLock.Release();
        }
    }

    /// <summary>The Docker builder as the service makes it, in this sandbox, with these download settings.</summary>
    internal DockerImageBuilder Builder(BuildpackOptions? sources = null)
    {
        var docker = Options.Create(new DockerOptions { Labels = new() { [DockerSandbox.LabelKey] = Sandbox.RunId }, WorkDirectory = Sandbox.WorkDirectory });
        return new DockerImageBuilder(Engine, new GitFetcher(new GitCommand(TimeProvider.System), Options.Create(new GitProviderOptions { AllowedSchemes = ["file"] }), BinderOrleans.IntegrationTests.Providers.GitRepoProviderTests.Pin()), new BasePythonProbe(Engine, docker), docker,
            Options.Create(new BuildOptions()), NullLogger<DockerImageBuilder>.Instance, Options.Create(sources ?? new BuildpackOptions()));
    }

    public BuildRequest Request(GitRepo repo, string name) =>
        new($"binderorleans-test-{Sandbox.RunId}-{name}:{repo.Head[..12]}", $"build-test-{name}", repo.Url, repo.Head, "git");

    internal async Task<List<BinderEvent>> BuildAsync(IImageBuilder builder, BuildRequest request)
    {
        var events = new List<BinderEvent>();
        using var timeout = new CancellationTokenSource(BuildTimeout);
        await foreach (var e in builder.BuildAsync(request, timeout.Token)) events.Add(e);
        return events;
    }

    /// <summary>Runs <paramref name="command"/> in a container of <paramref name="image"/> through its entrypoint; returns exit code and output.</summary>
    internal async Task<(long Exit, string Output)> RunAsync(string image, params string[] command)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        var id = await Engine.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = [.. command],
            Labels = new Dictionary<string, string> { [DockerSandbox.LabelKey] = Sandbox.RunId },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, timeout.Token);
        try
        {
            await Engine.StartContainerAsync(id, timeout.Token);
            var exit = await Engine.WaitContainerAsync(id, timeout.Token);
            return (exit, await Engine.TailLogsAsync(id, 500, timeout.Token) ?? "");
        }
        finally
        {
            await Engine.RemoveContainerIfExistsAsync(id, CancellationToken.None);
        }
    }

    internal async Task<ImageInspectResponse> InspectAsync(string image)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        return await Engine.FindImageAsync(image, timeout.Token) ?? throw new InvalidOperationException($"{image} was not built");
    }

    /// <summary>A build that must succeed: fails the test with the build log otherwise.</summary>
    internal static void AssertBuilt(List<BinderEvent> events)
    {
        var log = string.Concat(events.Select(e => e.Message));
        Assert.True(events.Count > 0 && events[^1].Phase != BinderPhase.Failed, $"build failed:\n{(log.Length > 6000 ? log[^6000..] : log)}");
    }
}

/// <summary>Buildpack builds run one after another (two cores, one dockerd) and share the fixture.</summary>
[CollectionDefinition(Name)]
public sealed class BuildpackBuildCollection : ICollectionFixture<BuildpackBuildFixture>
{
    public const string Name = "Buildpack builds";
}
