using BinderOrleans.Core.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Core.Sessions;

/// <summary>
/// Drains the replica when the host stops (SIGTERM, a rolling update). <see cref="IHostedLifecycleService.StoppingAsync"/>
/// runs before any hosted service's <c>StopAsync</c>, so the silo is still a member and Kestrel still serves while the
/// builds and launches running here finish, up to <c>Binder:DrainTimeout</c>; only then do the web server and the silo
/// stop (and what is left is handed over to the other replicas).
/// </summary>
internal sealed partial class DrainService(DrainState state, IOptions<SiteOptions> options, TimeProvider time, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.DrainTimeout;
        var running = state.Running;
        LogDraining(running, timeout);
        var started = time.GetTimestamp();
        var finished = await state.DrainAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        if (finished) LogDrained(time.GetElapsedTime(started));
        else LogHandingOver(state.Running, time.GetElapsedTime(started));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: no new sessions; waiting up to {Timeout} for {Running} running builds and launches")]
    private partial void LogDraining(int running, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained in {Elapsed}: every build and launch here finished")]
    private partial void LogDrained(TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain deadline after {Elapsed}: handing {Running} running builds and launches over to the other replicas")]
    private partial void LogHandingOver(int running, TimeSpan elapsed);
}
