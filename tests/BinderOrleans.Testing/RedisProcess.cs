using System.Diagnostics;
using System.Net.Sockets;

namespace BinderOrleans.Testing;

/// <summary>
/// Debian's redis-server on 127.0.0.1 with a port of its own and nothing persisted, started by the test that needs it
/// (the Orleans membership store of a multi-replica test) and killed by it.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>StackExchange.Redis connection string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static bool IsInstalled => File.Exists(Executable);

    private const string Executable = "/usr/bin/redis-server";

    public static async Task<RedisProcess> StartAsync()
    {
        if (!IsInstalled) throw new InvalidOperationException($"{Executable} is missing: run scripts/setup.sh --with redis.");
        var port = FreePorts.Next();
        var redis = new RedisProcess(Launch(port), port);
        await redis.WaitReadyAsync().ConfigureAwait(false);
        return redis;
    }

    /// <summary>
    /// SIGKILL, then a fresh redis-server on the same port: everything it held is gone, as after a restart of a Redis
    /// that keeps nothing on disk.
    /// </summary>
    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
        _process = Launch(Port);
        await WaitReadyAsync().ConfigureAwait(false);
    }

    private static Process Launch(int port)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--protected-mode", "yes" })
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitReadyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, timeout.Token).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (!timeout.IsCancellationRequested && !_process.HasExited)
            {
                await Task.Delay(50, timeout.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task StopAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }
}
