using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Options;
using BinderOrleans.Core.Providers.Data;
using BinderOrleans.Docker.Buildpacks;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Builds;

/// <summary>
/// Builds an image on the local engine: checks out the commit into a temp folder (<c>fetching</c>), picks the
/// buildpack, renders the Dockerfile and streams the engine's output (<c>building</c>). Any failure ends the stream
/// with one <c>failed</c> event. The temp folder is always deleted; intermediate containers are removed by the
/// engine (<c>forcerm</c>), also when the build is cancelled.
/// </summary>
internal sealed partial class DockerImageBuilder : IImageBuilder
{
    /// <summary>The <c>status_code</c> of a build failed because the engine went away: not the repository's fault, worth retrying.</summary>
    public const int EngineUnavailableStatus = 503;

    private readonly IDockerClient _engine;
    private readonly GitFetcher _git;
    private readonly BasePythonProbe _python;
    private readonly DockerOptions _docker;
    private readonly BuildOptions _build;
    private readonly ILogger _logger;
    private readonly BuildpackOptions _sources;
    private readonly JuliaReleases _julia;
    private readonly IReadOnlyList<IContentFetcher> _contents;

    public DockerImageBuilder(IDockerClient engine, GitFetcher git, BasePythonProbe python, IOptions<DockerOptions> docker,
        IOptions<BuildOptions> build, ILogger<DockerImageBuilder> logger, IOptions<BuildpackOptions>? buildpacks = null,
        IEnumerable<IContentFetcher>? contents = null)
    {
        _contents = contents?.ToArray() ?? [];
        _sources = buildpacks?.Value ?? new BuildpackOptions();
        _julia = new JuliaReleases(Options.Create(_sources));
        _engine = engine;
        _git = git;
        _python = python;
        _docker = docker.Value;
        _build = build.Value;
        _logger = logger;
    }

    public async IAsyncEnumerable<BinderEvent> BuildAsync(BuildRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (request.PullOnly)
        {
            await foreach (var e in PrebuiltImagePull.PullAsync(_engine, request.ImageName, cancellationToken).ConfigureAwait(false))
            {
                if (e.Phase == BinderPhase.Failed) LogBuildFailed(request.ImageName, e.Message ?? "");
                yield return e;
            }
            yield break;
        }
        var work = BuildWorkDirectory.Create(_docker.WorkDirectory);
        BinderEvent? failed = null;
        try
        {
            await foreach (var e in BuildInAsync(request, work, cancellationToken).ConfigureAwait(false))
            {
                if (e.Phase == BinderPhase.Failed)
                {
                    failed = e;
                    break;
                }
                yield return e;
            }
        }
        finally
        {
            CleanUp(work, engineLost: failed?.StatusCode == EngineUnavailableStatus);
        }
        // Reported only once the checkout is gone: whoever sees the end of the stream sees nothing left behind.
        if (failed is not null) yield return failed;
    }

    private async IAsyncEnumerable<BinderEvent> BuildInAsync(BuildRequest request, BuildWorkDirectory work, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var checkout = work.Checkout;
        string? failure = null;
        int? failureStatus = null;
        // Data repositories (zenodo, figshare, …) are fetched by their provider's content fetcher; everything else is cloned.
        var content = _contents.FirstOrDefault(c => string.Equals(c.ProviderId, request.ProviderId, StringComparison.Ordinal));
        var fetched = content is null
            ? FetchGitAsync(request, checkout, cancellationToken)
            : ContentFetchStream.RunAsync(content, new ContentSource(request.RepoUrl, request.ResolvedRef), checkout, cancellationToken);
        await foreach (var line in fetched.ConfigureAwait(false))
        {
            if (line.Failure is not null)
            {
                failure = line.Text;
                failureStatus = line.Failure.StatusCode;
                break;
            }
            yield return BinderEvent.Of(BinderPhase.Fetching, line.Text);
        }
        if (failure is not null)
        {
            LogBuildFailed(request.ImageName, failure);
            yield return BinderEvent.Failed($"Failed to fetch {request.RepoUrl} at {request.ResolvedRef}: {failure}", failureStatus is 0 ? null : failureStatus);
            yield break;
        }

        var (plan, detectError) = BuildpackDetector.Detect(checkout);
        if (plan is null)
        {
            LogBuildFailed(request.ImageName, detectError!);
            yield return BinderEvent.Failed($"Error during build: {detectError}");
            yield break;
        }
        LogBuildpack(request.ImageName, plan.BuildpackName);
        yield return BinderEvent.Of(BinderPhase.Building, $"Using {plan.BuildpackName} builder");

        var (prepared, prepareError, prepareStatus) = await PrepareAsync(plan, checkout, request, cancellationToken).ConfigureAwait(false);
        if (prepared is null)
        {
            LogBuildFailed(request.ImageName, prepareError!);
            yield return BinderEvent.Failed($"Error during build: {prepareError}", prepareStatus);
            yield break;
        }

        var (context, parameters) = prepared.Value;
        var lines = new LineAssembler();
        var step = new StepOutput();
        string? buildError;
        var engineLost = false;
        await using (var tar = new ContextPipe(context, cancellationToken))
        await using (var reader = new EngineMessageReader(_engine.BuildImageAsync(tar.Reader, parameters, cancellationToken), cancellationToken))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var message = reader.Current;
                foreach (var text in lines.Add(Describe(message)))
                {
                    work.Observe(text);
                    step.Add(text);
                    yield return BinderEvent.Of(BinderPhase.Building, text);
                }
            }
            // A last line without its newline still belongs to the step: it is often the error itself.
            if (lines.Flush() is { } rest)
            {
                work.Observe(rest);
                step.Add(rest);
                yield return BinderEvent.Of(BinderPhase.Building, rest);
            }
            buildError = reader.Error is { } engineError ? step.Describe(engineError) : null;
            engineLost = reader.EngineLost;
        }

        if (buildError is null)
        {
            // A stream that simply stops is what a killed engine can look like too: the image tells.
            (buildError, engineLost) = await CheckBuiltAsync(request.ImageName, cancellationToken).ConfigureAwait(false);
        }
        if (buildError is not null)
        {
            LogBuildFailed(request.ImageName, buildError);
            // The engine's own messages name it (its Docker:Host), so the user can tell its loss from the repository's fault.
            yield return BinderEvent.Failed($"Error during build: {buildError.TrimEnd()}", engineLost ? EngineUnavailableStatus : null);
            yield break;
        }
        LogBuilt(request.ImageName);
    }

    private async IAsyncEnumerable<FetchLine> FetchGitAsync(BuildRequest request, string checkout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in _git.FetchAsync(request.RepoUrl, request.ResolvedRef, checkout, request.GitCredentials, cancellationToken).ConfigureAwait(false))
        {
            // A failed clone keeps the status it always had: none (BinderHub's build failures carry none either).
            yield return line.Failed ? new FetchLine(line.Text, new ContentFailure(line.Text, line.StatusCode ?? 0)) : new FetchLine(line.Text);
        }
    }

    /// <summary>Null when the engine has the image; else why not, and whether the engine itself is gone.</summary>
    private async Task<(string? Error, bool EngineLost)> CheckBuiltAsync(string imageName, CancellationToken cancellationToken)
    {
        try
        {
            return await _engine.FindImageAsync(imageName, cancellationToken).ConfigureAwait(false) is null
                ? ($"the engine finished without producing {imageName}", false)
                : (null, false);
        }
        catch (DockerEngineException ex)
        {
            return (ex.Message, ex.Unavailable);
        }
    }

    /// <summary>
    /// What a build of <paramref name="checkout"/> sends the engine, without building: the tar context and the build
    /// parameters (the benchmark builds the same with <c>docker build</c> to measure the floor). Null with the error.
    /// </summary>
    internal async Task<((BuildContext Context, ImageBuildParameters Parameters)? Prepared, string? Error)> PrepareCheckoutAsync(
        BuildRequest request, string checkout, CancellationToken cancellationToken)
    {
        var (plan, detectError) = BuildpackDetector.Detect(checkout);
        if (plan is null) return (null, detectError);
        var (prepared, error, _) = await PrepareAsync(plan, checkout, request, cancellationToken).ConfigureAwait(false);
        return (prepared, error);
    }

    /// <summary>Turns the plan into a tar context and build parameters; errors are messages for the user.</summary>
    private async Task<((BuildContext Context, ImageBuildParameters Parameters)? Prepared, string? Error, int? Status)> PrepareAsync(
        BuildPlan plan, string checkout, BuildRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var (prepared, error) = await PrepareCoreAsync(plan, checkout, request, cancellationToken).ConfigureAwait(false);
            return (prepared, error, null);
        }
        catch (DockerEngineException ex)
        {
            return (null, ex.Message, ex.Unavailable ? EngineUnavailableStatus : null);
        }
    }

    private async Task<((BuildContext Context, ImageBuildParameters Parameters)? Prepared, string? Error)> PrepareCoreAsync(
        BuildPlan plan, string checkout, BuildRequest request, CancellationToken cancellationToken)
    {
        // A generated Dockerfile ends with these in one LABEL step; the engine would add a step per label it is given.
        var repoLabels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [DockerLabels.Ref] = request.ResolvedRef,
            [DockerLabels.Repo] = request.RepoUrl,
            [DockerLabels.Version] = DockerLabels.BuilderVersion,
            [DockerLabels.Build] = request.BuildName,
        };
        var labels = new Dictionary<string, string>(_docker.Labels, StringComparer.Ordinal)
        {
            [DockerLabels.Ref] = request.ResolvedRef,
            [DockerLabels.Repo] = request.RepoUrl,
            [DockerLabels.Version] = DockerLabels.BuilderVersion,
            [DockerLabels.Build] = request.BuildName,
        };
        var buildArgs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["NB_USER"] = DockerfileSettings.UserName,
            ["NB_UID"] = DockerfileSettings.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        BuildContext context;
        string dockerfilePath;
        // Only the repository's own Dockerfile gets the labels from the engine; generated ones write them themselves.
        Dictionary<string, string>? engineLabels = null;
        switch (plan)
        {
            case BuildPlan.Dockerfile dockerfile:
                context = BuildContext.ForRepository(checkout, dockerfile.DockerfilePath, ReadIgnore(checkout, ""));
                dockerfilePath = dockerfile.DockerfilePath;
                engineLabels = labels;
                break;

            case BuildPlan.Python python:
                var baseImage = await _engine.FindImageAsync(_build.BaseImage, cancellationToken).ConfigureAwait(false);
                if (baseImage is null)
                {
                    return (null, $"the base image {_build.BaseImage} (Build:BaseImage) is not in the Docker engine.");
                }
                var (available, probeError) = await _python.GetVersionAsync(baseImage.ID, cancellationToken).ConfigureAwait(false);
                if (available is null) return (null, probeError);
                var (chosen, choiceError) = PythonChoice.Resolve(python, available);
                if (chosen is null) return (null, choiceError);
                python = chosen;
                if (python.Julia is { } julia)
                {
                    var (version, juliaError) = await _julia.ChooseAsync(julia.Constraint, cancellationToken).ConfigureAwait(false);
                    if (version is null) return (null, juliaError);
                    python = python with { Julia = julia with { Version = version } };
                }
                var text = PythonDockerfile.Render(python, new DockerfileSettings(_build.BaseImage, repoLabels, _docker.Labels, _sources));
                context = BuildContext.ForGenerated(text, checkout, ReadIgnore(checkout, python.BinderDirectory));
                dockerfilePath = "Dockerfile";
                break;

            case BuildPlan.Devcontainer devcontainer:
                var devcontainerText = DevcontainerDockerfile.Render(devcontainer, new DockerfileSettings(_build.BaseImage, repoLabels, _docker.Labels, _sources));
                context = BuildContext.ForDevcontainer(devcontainerText, checkout, devcontainer.Context, ReadIgnore(checkout, ""));
                dockerfilePath = DevcontainerDockerfile.DockerfilePath;
                foreach (var (key, value) in devcontainer.BuildArgs) buildArgs[key] = value;
                break;

            default:
                return (null, $"no renderer for {plan.BuildpackName}.");
        }

        var parameters = new ImageBuildParameters
        {
            Tags = [request.ImageName],
            Dockerfile = dockerfilePath,
            Remove = true,
            // Intermediate containers go also when a step fails or the build is cancelled.
            ForceRemove = true,
            Labels = engineLabels,
            BuildArgs = buildArgs,
            NetworkMode = _docker.NetworkMode,
        };
        return ((context, parameters), null);
    }

    /// <summary><c>.dockerignore</c> (else <c>.containerignore</c>) from the binder directory, or the root without one.</summary>
    private static DockerIgnore ReadIgnore(string checkout, string binderDirectory)
    {
        foreach (var name in (ReadOnlySpan<string>)[".dockerignore", ".containerignore"])
        {
            var path = Path.Combine(checkout, binderDirectory, name);
            if (File.Exists(path)) return DockerIgnore.Parse(File.ReadAllText(path));
        }
        return DockerIgnore.Empty;
    }

    /// <summary>The text a progress line shows: build output as is; pull progress as <c>id: status current/total</c>.</summary>
    private static string Describe(JSONMessage message)
    {
        if (message.Stream is { } stream) return stream;
        if (message.Status is { } status)
        {
            var sb = new StringBuilder();
            if (message.ID is { Length: > 0 } id) sb.Append(id).Append(": ");
            sb.Append(status);
            if (message.Progress is { Current: { } current, Total: > 0 and var total })
            {
                sb.Append(' ').Append(current.ToString(CultureInfo.InvariantCulture)).Append('/').Append(total.ToString(CultureInfo.InvariantCulture));
            }
            return sb.Append('\n').ToString();
        }
        return "";
    }

    /// <summary>
    /// The folder goes; after a lost engine only its record of intermediate containers and images stays, for
    /// <see cref="BuildLeftoversCleaner"/> to act on once the engine is back (the engine's own <c>forcerm</c> did not run).
    /// </summary>
    private void CleanUp(BuildWorkDirectory work, bool engineLost)
    {
        try
        {
            if (engineLost) work.KeepRecordOnly();
            else work.Delete();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            work.Dispose();
            LogCleanupFailed(ex, work.Path);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Image} with {BuildPack}")]
    private partial void LogBuildpack(string image, string buildPack);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built {Image}")]
    private partial void LogBuilt(string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Build of {Image} failed: {Error}")]
    private partial void LogBuildFailed(string image, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the build folder {Path}")]
    private partial void LogCleanupFailed(Exception exception, string path);

    /// <summary>The engine splits lines across messages ("Step 1/9 : FROM x" then "\n"); events carry whole lines.</summary>
    private sealed class LineAssembler
    {
        private readonly StringBuilder _pending = new();

        public IEnumerable<string> Add(string text)
        {
            if (text.Length == 0) return [];
            _pending.Append(text);
            var all = _pending.ToString();
            var end = all.LastIndexOf('\n');
            if (end < 0) return [];
            _pending.Clear().Append(all, end + 1, all.Length - end - 1);
            return all[..(end + 1)].Split('\n').SkipLast(1).Select(l => l + "\n").ToArray();
        }

        public string? Flush()
        {
            if (_pending.Length == 0) return null;
            var rest = _pending.ToString();
            _pending.Clear();
            return rest;
        }
    }
}
