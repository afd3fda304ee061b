using System.Diagnostics;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>
/// What one test run creates in the shared Docker engine, all labelled <c>binderorleans.test-run=&lt;id&gt;</c>
/// (set through <c>Docker:Labels</c>) or named by the test, and removed at the end: only those, nothing else.
/// </summary>
internal sealed class DockerTestResources : IAsyncDisposable
{
    public const string LabelKey = "binderorleans.test-run";

    private readonly List<string> _namedImages = [];

    public DockerTestResources()
    {
        Engine = DockerClientFactory.Create(new DockerOptions());
    }

    public string RunId { get; } = Guid.NewGuid().ToString("N")[..12];

    public IDockerClient Engine { get; }

    /// <summary>The network this run's servers join (<c>Docker:ServerNetwork</c>); removed at the end.</summary>
    public string Network => "binderorleans-test-" + RunId;

    /// <summary>Tags <paramref name="source"/> as <paramref name="target"/> with the docker CLI; the tag is removed at the end.</summary>
    public async Task TagAsync(string source, string target)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["tag", source, target]) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0) throw new InvalidOperationException("docker tag failed: " + await stderr);
        _namedImages.Add(target);
    }

    /// <summary>
    /// Runs the docker CLI with <paramref name="arguments"/> (the test's own values), <paramref name="stdin"/> on its
    /// standard input; fails the test with its error output when it fails.
    /// </summary>
    public static async Task<string> RunCliAsync(string? stdin, params string[] arguments)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in arguments) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0) throw new InvalidOperationException($"docker {arguments[0]} failed: " + await stderr.WaitAsync(TimeSpan.FromSeconds(10)));
        return await stdout.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>An image name to remove at the end even if it carries no label (e.g. a tag the test made).</summary>
    public void Track(string image) => _namedImages.Add(image);

    /// <summary>Removes everything of this run; tries every item and reports all failures at the end.</summary>
    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var label = $"{LabelKey}={RunId}";
        var errors = new List<Exception>();
        async Task TryAsync(Func<Task> action)
        {
            try
            {
                await action();
            }
            catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException)
            {
                errors.Add(ex);
            }
        }

        await TryAsync(async () =>
        {
            foreach (var container in await Engine.ListContainersAsync([label], all: true, cts.Token))
            {
                await TryAsync(() => Engine.RemoveContainerIfExistsAsync(container.ID, cts.Token));
            }
        });
        await TryAsync(() => Engine.RemoveNetworksAsync([label], cts.Token));
        foreach (var image in _namedImages)
        {
            await TryAsync(() => Engine.RemoveImageIfExistsAsync(image, force: true, cts.Token));
        }
        await TryAsync(async () =>
        {
            foreach (var image in await Engine.ListImagesAsync([label], all: false, cts.Token))
            {
                var tags = (image.RepoTags ?? []).Where(t => t != "<none>:<none>").ToList();
                if (tags.Count == 0) await TryAsync(() => Engine.RemoveImageIfExistsAsync(image.ID, force: true, cts.Token));
                foreach (var tag in tags) await TryAsync(() => Engine.RemoveImageIfExistsAsync(tag, force: true, cts.Token));
            }
        });
        Engine.Dispose();
        if (errors.Count > 0) throw new AggregateException("Cleaning up the test's Docker resources failed.", errors);
    }
}
