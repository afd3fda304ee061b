using System.Diagnostics;
using System.Net.Sockets;
using System.Net;

namespace BinderOrleans.Testing;

/// <summary>
/// <c>git daemon</c> on 127.0.0.1 (or another loopback address, such as the allowed 127.0.0.2) serving one repository's
/// parent folder: the provider resolves and clones over loopback.
/// </summary>
public sealed class GitDaemon : IDisposable
{
    private readonly Process _process;
    private readonly IPAddress _address;

    private GitDaemon(Process process, IPAddress address, int port)
    {
        _process = process;
        _address = address;
        Port = port;
    }

    public int Port { get; }

    public string UrlOf(GitRepo repo) => $"git://{_address}:{Port}/{Path.GetFileName(repo.Path)}";

    public static async Task<GitDaemon> StartAsync(GitRepo repo, CancellationToken cancellationToken, IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        var port = FreePorts.Next();
        var root = Path.GetDirectoryName(repo.Path)!;
        var psi = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "daemon", "--reuseaddr", "--export-all", $"--listen={address}", $"--port={port}", $"--base-path={root}", "--", repo.Path })
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start git daemon");
        for (var i = 0; i < 200; i++)
        {
            if (process.HasExited) throw new InvalidOperationException("git daemon exited: " + await process.StandardError.ReadToEndAsync(cancellationToken));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port, cancellationToken);
                return new GitDaemon(process, address, port);
            }
            catch (SocketException)
            {
                await Task.Delay(25, cancellationToken);
            }
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("git daemon did not listen");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
