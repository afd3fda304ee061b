using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;

namespace BinderOrleans.Testing;

/// <summary>
/// Keeps a test run's Docker resources apart from everyone else's on the shared engine: a unique label that the
/// backend puts on every image and container it makes (<c>Docker:Labels</c>), a private build folder
/// (<c>Docker:WorkDirectory</c>), and clean-up that removes only what carries the label.
/// </summary>
public sealed class DockerSandbox : IAsyncDisposable
{
    public const string LabelKey = "binderorleans.test-run";

    public DockerSandbox()
    {
        RunId = Guid.NewGuid().ToString("N")[..12];
        WorkDirectory = Directory.CreateTempSubdirectory("binder-test-work-").FullName;
        Engine = DockerClientFactory.Create(new DockerOptions());
    }

    /// <summary>Value of <see cref="LabelKey"/> for this run.</summary>
    public string RunId { get; }

    /// <summary><c>key=value</c>, as engine label filters take it.</summary>
    public string Label => $"{LabelKey}={RunId}";

    /// <summary>The network this run's servers join (<c>Docker:ServerNetwork</c>); removed at the end.</summary>
    public string Network => "binderorleans-test-" + RunId;

    /// <summary>Where the backend makes its checkouts; empty again after every build.</summary>
    public string WorkDirectory { get; }

    internal IDockerClient Engine { get; }

    /// <summary>The configuration keys that put the backend in this sandbox.</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        [$"Docker:Labels:{LabelKey}"] = RunId,
        ["Docker:WorkDirectory"] = WorkDirectory,
        ["Docker:ServerNetwork"] = Network,
    };

    /// <summary>Ids of this run's containers (running or not), optionally narrowed by more label filters.</summary>
    public async Task<List<string>> ContainerIdsAsync(params string[] moreLabels)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var containers = await Engine.ListContainersAsync([Label, .. moreLabels], all: true, timeout.Token).ConfigureAwait(false);
        return containers.Select(c => c.ID).ToList();
    }

    /// <summary>Files and folders left in <see cref="WorkDirectory"/>.</summary>
    public string[] LeftoverWork() => Directory.GetFileSystemEntries(WorkDirectory);

    /// <summary>Removes this run's containers and networks, then its images (tagged ones first, so their untagged parents go with them).</summary>
    public async Task CleanUpAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        foreach (var container in await Engine.ListContainersAsync([Label], all: true, ct).ConfigureAwait(false))
        {
            await Engine.RemoveContainerIfExistsAsync(container.ID, ct).ConfigureAwait(false);
        }
        await Engine.RemoveNetworksAsync([Label], ct).ConfigureAwait(false);
        // Intermediate images of generated Dockerfiles carry the label too; a few passes take children before parents.
        for (var pass = 0; pass < 5; pass++)
        {
            var images = await Engine.ListImagesAsync([Label], all: true, ct).ConfigureAwait(false);
            if (images.Count == 0) break;
            foreach (var image in images.OrderByDescending(i => i.RepoTags is { Count: > 0 } tags && tags[0] != "<none>:<none>").ThenByDescending(i => i.Created))
            {
                try
                {
                    await Engine.RemoveImageIfExistsAsync(image.ID, force: true, ct).ConfigureAwait(false);
                }
                catch (DockerEngineException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                    // Still a parent of something removed later in this pass; the next pass gets it.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CleanUpAsync().ConfigureAwait(false);
        Engine.Dispose();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
