namespace BinderOrleans.Bench.Harness;

/// <summary>
/// Samples the thread-pool size and the process's OS thread count on a dedicated thread (not a pool thread, so it
/// does not inflate what it measures) and keeps the peaks.
/// </summary>
internal sealed class ThreadSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);
    private readonly Thread _thread;
    private volatile bool _stop;
    private int _peakPool;
    private int _peakProcess;

    private ThreadSampler()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-thread-sampler" };
    }

    public int PeakPoolThreads => Volatile.Read(ref _peakPool);

    public int PeakProcessThreads => Volatile.Read(ref _peakProcess);

    public static ThreadSampler Start()
    {
        var sampler = new ThreadSampler();
        sampler.Sample();
        sampler._thread.Start();
        return sampler;
    }

    /// <summary>Stops sampling (after one last sample) and waits for the sampler thread.</summary>
    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        Sample();
    }

    /// <summary>OS threads of this process: Linux's <c>/proc/self/status</c>, else the Process API.</summary>
    public static int ProcessThreads()
    {
        const string StatusFile = "/proc/self/status";
        if (File.Exists(StatusFile))
        {
            foreach (var line in File.ReadLines(StatusFile))
            {
                if (line.StartsWith("Threads:", StringComparison.Ordinal) && int.TryParse(line.AsSpan(8).Trim(), out var n)) return n;
            }
        }
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    private void Run()
    {
        while (!_stop)
        {
            Sample();
            Thread.Sleep(Interval);
        }
    }

    private void Sample()
    {
        _peakPool = Math.Max(_peakPool, ThreadPool.ThreadCount);
        _peakProcess = Math.Max(_peakProcess, ProcessThreads());
    }
}
