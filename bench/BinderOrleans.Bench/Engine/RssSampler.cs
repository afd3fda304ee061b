using System.Globalization;

namespace BinderOrleans.Bench.Engine;

/// <summary>Reads a process's resident set (<c>VmRSS</c> in <c>/proc/&lt;pid&gt;/status</c>) every interval and keeps the peak.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;
    private int _samples;

    public RssSampler(int pid, TimeSpan interval)
    {
        _pid = pid;
        _peak = Read(pid) ?? 0;
        _loop = LoopAsync(interval);
    }

    /// <summary>The highest reading so far, in bytes.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    public int Samples => Volatile.Read(ref _samples);

    /// <summary>Current <c>VmRSS</c> in bytes; null once the process is gone.</summary>
    public static long? Read(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (Read(_pid) is not { } rss) return;
                Interlocked.Increment(ref _samples);
                long seen;
                while (rss > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, rss, seen) != seen)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
