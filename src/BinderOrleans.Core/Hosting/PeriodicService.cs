using Microsoft.Extensions.Hosting;

namespace BinderOrleans.Core.Hosting;

/// <summary>
/// A clean-up pass repeated every <c>interval</c> on the injected clock until the host stops (the Docker launcher's
/// culler, the build-pod cleaner). A pass that throws stops the service; a pass decides itself what it survives.
/// </summary>
public abstract class PeriodicService(TimeSpan interval, TimeProvider time) : BackgroundService
{
    private PeriodicTimer? _timer;

    /// <summary>
    /// The first interval starts here, when the host starts the service: since .NET 10 <see cref="ExecuteAsync"/> runs
    /// on the thread pool, so a timer made there would start whenever that thread first runs.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(interval, time);
        return base.StartAsync(cancellationToken);
    }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = _timer ?? new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RunPassAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One pass.</summary>
    protected abstract Task RunPassAsync(CancellationToken cancellationToken);
}
