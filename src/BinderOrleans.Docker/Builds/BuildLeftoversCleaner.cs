using BinderOrleans.Core.Options;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// At start and every <c>Docker:CullInterval</c>, removes what ended builds left behind: <c>binder-build-*</c>
/// folders under <c>Docker:WorkDirectory</c> that no running build holds (after a crash of this service), and the
/// intermediate containers and images such a folder's record names (after a crash of the engine, whose own clean-up
/// then never ran), plus stopped Python-version probes and repo2docker builder containers. Only what this service's folders and labels name is touched; an engine still down leaves the folder for the
/// next pass. Images are removed without force, newest first, so one that became another build's cache stays.
/// </summary>
internal sealed partial class BuildLeftoversCleaner : BackgroundService
{
    /// <summary>Longer than a probe may run (its own timeout is 60 s).</summary>
    private static readonly TimeSpan ProbeGrace = TimeSpan.FromMinutes(5);

    private readonly IDockerClient _engine;
    private readonly DockerOptions _options;
    private readonly TimeSpan _lockless;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BuildLeftoversCleaner(IDockerClient engine, IOptions<DockerOptions> options, IOptions<BuildOptions> build, TimeProvider time,
        ILogger<BuildLeftoversCleaner> logger)
    {
        _engine = engine;
        _options = options.Value;
        // A folder without a lock (older versions made those) is surely over once no build could still be running in it.
        _lockless = build.Value.MaxDuration + TimeSpan.FromMinutes(1);
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.CullInterval, _time);
        try
        {
            do
            {
                await CleanOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One pass; returns the folders it removed.</summary>
    internal async Task<IReadOnlyList<string>> CleanOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RemoveStoppedProbesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DockerEngineException ex)
        {
            LogEngineDown("probe containers", ex.Message);
        }
        var root = _options.WorkDirectory.Length == 0 ? Path.GetTempPath() : _options.WorkDirectory;
        if (!Directory.Exists(root)) return [];
        var removed = new List<string>();
        foreach (var path in Directory.EnumerateDirectories(root, BuildWorkDirectory.Prefix + "*"))
        {
            using var work = BuildWorkDirectory.TryClaim(path, _lockless, _time.GetUtcNow());
            if (work is null) continue;
            try
            {
                await RemoveRecordedAsync(work, cancellationToken).ConfigureAwait(false);
                work.Delete();
                LogRemoved(path);
                removed.Add(path);
            }
            catch (DockerEngineException ex)
            {
                LogEngineDown(path, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(ex, path);
            }
        }
        return removed;
    }

    /// <summary>
    /// Python-version probes (<see cref="BasePythonProbe"/>) and repo2docker builder containers
    /// (<see cref="Repo2DockerImageBuilder"/>) a crash left behind: stopped for a while, so nobody reads them any more.
    /// </summary>
    private async Task RemoveStoppedProbesAsync(CancellationToken cancellationToken)
    {
        foreach (var label in new[] { DockerLabels.Probe, DockerLabels.Repo2DockerBuild })
        {
            await RemoveStoppedAsync(label, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RemoveStoppedAsync(string label, CancellationToken cancellationToken)
    {
        var filters = new List<string> { label };
        filters.AddRange(_options.Labels.Select(l => $"{l.Key}={l.Value}"));
        foreach (var container in await _engine.ListContainersAsync(filters, all: true, cancellationToken).ConfigureAwait(false))
        {
            if (container.State is "exited" or "dead" or "created"
                && _time.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(container.Created, DateTimeKind.Utc)) > ProbeGrace)
            {
                await _engine.RemoveContainerIfExistsAsync(container.ID, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RemoveRecordedAsync(BuildWorkDirectory work, CancellationToken cancellationToken)
    {
        var (containers, images) = work.ReadRecord();
        foreach (var container in containers)
        {
            if (await _engine.RemoveContainerIfExistsAsync(container, cancellationToken).ConfigureAwait(false)) LogContainerRemoved(container);
        }
        foreach (var image in images.Reverse())
        {
            // A tagged image is not a leftover, whatever a record says (records written before only step images were kept
            // may name a base image).
            if (await _engine.FindImageAsync(image, cancellationToken).ConfigureAwait(false) is { RepoTags.Count: > 0 }) continue;
            try
            {
                await _engine.RemoveImageIfExistsAsync(image, force: false, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerEngineException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // A parent of something else now (another build's cache, or a tagged image): it stays.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the leftovers of an ended build: {Path}")]
    private partial void LogRemoved(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed build container {Container} left by a lost engine")]
    private partial void LogContainerRemoved(string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Build leftovers in {Path} wait for the engine: {Error}")]
    private partial void LogEngineDown(string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the build folder {Path}")]
    private partial void LogDeleteFailed(Exception exception, string path);
}
