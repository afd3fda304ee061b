using System.Diagnostics;
using System.Formats.Tar;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>
/// A dockerd of the test's own (socket, data root and exec root in a temp folder, no bridge, no iptables), for fault
/// tests that kill the engine: the shared engine is never touched. It can be killed and started again on the same
/// folders, as a crashed engine restarts. Disposing stops it and removes the folder.
/// </summary>
internal sealed class OwnDockerd : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _root;
    private Process? _process;

    private OwnDockerd(string root) => _root = root;

    /// <summary><c>unix://…</c>, for <c>Docker:Host</c>.</summary>
    public string Host => "unix://" + Path.Combine(_root, "d.sock");

    public static async Task<OwnDockerd> StartAsync()
    {
        // Short: a unix socket path has a length limit.
        var dockerd = new OwnDockerd(Directory.CreateTempSubdirectory("bo-dd-").FullName);
        await dockerd.RestartAsync();
        return dockerd;
    }

    /// <summary>
    /// Starts the engine (again) and waits until it answers. Right after a SIGKILL the previous engine's leftovers can
    /// make a new one exit at once; it is started again, three times at most.
    /// </summary>
    public async Task RestartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await TryStartAsync() || attempt == 3) return;
            File.Delete(Path.Combine(_root, "d.pid"));
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    /// <returns>False when the engine exited before it answered.</returns>
    private async Task<bool> TryStartAsync()
    {
        var psi = new ProcessStartInfo("dockerd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[
                     "--host", Host, "--data-root", Path.Combine(_root, "data"), "--exec-root", Path.Combine(_root, "exec"),
                     "--pidfile", Path.Combine(_root, "d.pid"), "--bridge=none", "--iptables=false", "--ip6tables=false",
                     "--storage-driver=vfs", "--log-level=error"])
        {
            psi.ArgumentList.Add(arg);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var client = Client();
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.PingAsync(attempt.Token);
                return true;
            }
            catch (Exception ex) when (ex is DockerEngineException or OperationCanceledException && DateTime.UtcNow < deadline)
            {
                if (_process.HasExited) return false;
                await Task.Delay(200);
            }
        }
    }

    /// <summary>SIGKILL, as a crash: no clean-up by the engine.</summary>
    public void Kill()
    {
        _process!.Kill();
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public IDockerClient Client() => DockerClientFactory.Create(new DockerOptions { Host = Host });

    /// <summary>
    /// Imports a tiny image made from this machine's <c>sh</c> and <c>sleep</c> and the libraries they load, so a
    /// Dockerfile can <c>RUN</c> a long step without copying a real base image into this engine.
    /// </summary>
    public async Task ImportTinyImageAsync(string repository, string tag)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Gnu, leaveOpen: true))
        {
            var files = new SortedSet<string>(StringComparer.Ordinal) { "/bin/sh", "/bin/sleep", "/bin/echo" };
            foreach (var binary in files.ToList()) foreach (var library in await LibrariesOfAsync(binary)) files.Add(library);
            foreach (var file in files)
            {
                var real = new FileInfo(file).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? file;
                var entry = new GnuTarEntry(TarEntryType.RegularFile, file.TrimStart('/'))
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                        | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                    DataStream = File.OpenRead(real),
                };
                await writer.WriteEntryAsync(entry);
                await entry.DataStream.DisposeAsync();
            }
            await writer.WriteEntryAsync(new GnuTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0x3FF });
        }
        tar.Position = 0;
        using var client = Client();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.Images.CreateImageAsync(new ImagesCreateParameters { Repo = repository, Tag = tag }, tar, null, new Progress<JSONMessage>(), timeout.Token);
    }

    private static async Task<IEnumerable<string>> LibrariesOfAsync(string binary)
    {
        var psi = new ProcessStartInfo("ldd", binary) { RedirectStandardOutput = true, UseShellExecute = false };
        using var ldd = Process.Start(psi)!;
        var output = await ldd.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await ldd.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)"
        return output.Split('\n')
            .Select(l => l.Trim())
            .Select(l => l.Contains("=>", StringComparison.Ordinal) ? l[(l.IndexOf("=>", StringComparison.Ordinal) + 2)..].Trim() : l)
            .Select(l => l.Split(' ')[0])
            .Where(p => p.StartsWith('/'));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGTERM: the engine stops its containers and its containerd and unmounts what it mounted.
            Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit(5000);
            if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill();
        }
        _process?.Dispose();
        // A containerd the killed engine left behind runs from our exec root: stop that one only.
        var containerdPid = Path.Combine(_root, "exec", "containerd", "containerd.pid");
        if (File.Exists(containerdPid) && int.TryParse(await File.ReadAllTextAsync(containerdPid), out var pid))
        {
            try
            {
                using var containerd = Process.GetProcessById(pid);
                if (containerd.ProcessName.StartsWith("containerd", StringComparison.Ordinal)) containerd.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
        // The engine bind-mounts its data root onto itself and a killed one leaves that mount behind.
        var umountInfo = new ProcessStartInfo("umount") { RedirectStandardError = true, UseShellExecute = false };
        umountInfo.ArgumentList.Add(Path.Combine(_root, "data"));
        using (var umount = Process.Start(umountInfo)!)
        {
            await umount.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A mount still busy; the temp folder goes with the machine.
        }
    }
}
