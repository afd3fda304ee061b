using System.Diagnostics;
using System.Net.Sockets;

namespace BinderOrleans.Testing;

/// <summary>
/// Debian's redis-server on 127.0.0.1 with a port of its own and nothing persisted, started by the test that needs it
/// (the Orleans membership store of a multi-replica test) and killed by it.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

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
        var redis = new RedisProcess(process, port);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
                return redis;
            }
            catch (SocketException) when (!timeout.IsCancellationRequested && !process.HasExited)
            {
                await Task.Delay(50, timeout.Token).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
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
        _process.Dispose();
    }
}
