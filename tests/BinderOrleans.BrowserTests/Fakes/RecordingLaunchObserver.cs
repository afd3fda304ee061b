using System.Collections.Concurrent;
using BinderOrleans.Core.Launches;

namespace BinderOrleans.BrowserTests.Fakes;

/// <summary>Keeps every finished launch session's report, so a test can wait for a session to end.</summary>
internal sealed class RecordingLaunchObserver : ILaunchObserver
{
    private readonly ConcurrentQueue<LaunchReport> _reports = new();

    public void OnLaunchFinished(LaunchReport report) => _reports.Enqueue(report);

    /// <summary>The first report for <paramref name="spec"/>, waiting for it up to <paramref name="timeout"/>.</summary>
    public async Task<LaunchReport> WaitForAsync(string spec, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_reports.FirstOrDefault(r => r.Spec == spec) is { } report) return report;
            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No launch session for {spec} finished within {timeout}.");
            }
        }
    }
}
