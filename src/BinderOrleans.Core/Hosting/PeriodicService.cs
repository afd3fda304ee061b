using Microsoft.Extensions.Hosting;

namespace BinderOrleans.Core.Hosting;

/// <summary>
/// A clean-up pass repeated every <c>interval</c> on the injected clock until the host stops (the Docker launcher's
/// culler, the build-pod cleaner). A pass that throws stops the service; a pass decides itself what it survives.
/// </summary>
public abstract class PeriodicService(TimeSpan interval, TimeProvider time) : BackgroundService
{
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
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

    /// <summary>One pass.</summary>
    protected abstract Task RunPassAsync(CancellationToken cancellationToken);
}
