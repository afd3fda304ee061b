using Microsoft.Extensions.Hosting;

namespace BinderOrleans.Bench.FanOut;

/// <summary>The host lifetime the grain hosts want, without a host.</summary>
internal sealed class BenchLifetime : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => _stopping.Token;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
