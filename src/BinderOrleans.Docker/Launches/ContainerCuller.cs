using System.Globalization;
using BinderOrleans.Core.Hosting;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Docker.Proxy;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Docker.Launches;

/// <summary>
/// Removes launched servers that exited (a minute ago or more), or that have been idle longer than <c>Docker:CullIdleAfter</c>, every
/// <c>Docker:CullInterval</c>. Idle time comes from the server's own <c>/api/status</c> <c>last_activity</c>; when the
/// server does not say, from the container's age. A removed server's proxy route goes with it. Only containers carrying the launch label and every
/// <c>Docker:Labels</c> label are considered, so one engine can host several deployments.
/// </summary>
internal sealed partial class ContainerCuller : PeriodicService
{
    private const string TokenArgument = "--NotebookApp.token=";

    /// <summary>An exited server is left alone this long, so a launcher reading its log to report the failure gets it first.</summary>
    internal static readonly TimeSpan ExitedGrace = TimeSpan.FromMinutes(1);

    private readonly IDockerClient _engine;
    private readonly NotebookStatusClient _status;
    private readonly DockerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServerRoutes? _routes;

    public ContainerCuller(IDockerClient engine, NotebookStatusClient status, IOptions<DockerOptions> options, TimeProvider time,
        ILogger<ContainerCuller> logger, ServerRoutes? routes = null)
        : base(options.Value.CullInterval, time)
    {
        _routes = routes;
        _engine = engine;
        _status = status;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CullOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DockerEngineException ex)
        {
            LogPassFailed(ex);
        }
    }

    /// <summary>One pass; returns the ids of the containers it removed.</summary>
    internal async Task<IReadOnlyList<string>> CullOnceAsync(CancellationToken cancellationToken)
    {
        var filters = new List<string> { DockerLabels.Launch };
        filters.AddRange(_options.Labels.Select(l => $"{l.Key}={l.Value}"));
        var removed = new List<string>();
        foreach (var container in await _engine.ListContainersAsync(filters, all: true, cancellationToken).ConfigureAwait(false))
        {
            var reason = container.State switch
            {
                "exited" or "dead" => await ExitedReasonAsync(container, cancellationToken).ConfigureAwait(false),
                "running" => await IdleReasonAsync(container, cancellationToken).ConfigureAwait(false),
                _ => null,
            };
            if (reason is null) continue;
            if (_routes is not null) await _routes.RemoveAsync(container.ID, container.Names?.FirstOrDefault()?.TrimStart('/'), cancellationToken).ConfigureAwait(false);
            await _engine.RemoveContainerIfExistsAsync(container.ID, cancellationToken).ConfigureAwait(false);
            LogCulled(container.Names?.FirstOrDefault() ?? container.ID, reason);
            removed.Add(container.ID);
        }
        return removed;
    }

    private async Task<string?> ExitedReasonAsync(ContainerListResponse container, CancellationToken cancellationToken)
    {
        var inspect = await _engine.FindContainerAsync(container.ID, cancellationToken).ConfigureAwait(false);
        if (inspect is null) return null;
        var finished = FinishedAt(inspect.State) ?? CreatedAt(container);
        return _time.GetUtcNow() - finished > ExitedGrace ? $"it exited (code {inspect.State?.ExitCode})" : null;
    }

    private async Task<string?> IdleReasonAsync(ContainerListResponse container, CancellationToken cancellationToken)
    {
        var lastActivity = await LastActivityAsync(container, cancellationToken).ConfigureAwait(false) ?? CreatedAt(container);
        var idle = _time.GetUtcNow() - lastActivity;
        return idle > _options.CullIdleAfter ? $"it was idle for {idle.TotalMinutes:0} min" : null;
    }

    private async Task<DateTimeOffset?> LastActivityAsync(ContainerListResponse container, CancellationToken cancellationToken)
    {
        var inspect = await _engine.FindContainerAsync(container.ID, cancellationToken).ConfigureAwait(false);
        var token = inspect?.Args?.FirstOrDefault(a => a.StartsWith(TokenArgument, StringComparison.Ordinal))?[TokenArgument.Length..];
        if (token is null || ServerAddress.Of(inspect!, _options) is not { } address) return null;
        var status = await _status.GetAsync(address, token, cancellationToken).ConfigureAwait(false);
        return status?.LastActivity;
    }

    private static DateTimeOffset CreatedAt(ContainerListResponse container) =>
        DockerLabels.Get(container.Labels, DockerLabels.LaunchCreated) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var created)
            ? created
            : new DateTimeOffset(DateTime.SpecifyKind(container.Created, DateTimeKind.Utc));

    /// <summary>When the container stopped; null when the engine does not say (its zero time is year 1).</summary>
    private static DateTimeOffset? FinishedAt(State? state) =>
        state?.FinishedAt is { Length: > 0 } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) && at.Year > 1
            ? at
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed server {Container}: {Reason}")]
    private partial void LogCulled(string container, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Culler pass failed; trying again next interval")]
    private partial void LogPassFailed(Exception exception);
}
