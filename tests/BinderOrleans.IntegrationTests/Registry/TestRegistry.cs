using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.8) serving 127.0.0.1:&lt;free port&gt; from a temp folder, with no auth,
/// htpasswd basic auth, or token auth backed by an in-test <see cref="TokenServer"/>. Stop and start it to simulate an outage.
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    public const string Service = "binder-test-registry";

    private readonly string _directory;
    private readonly string _configPath;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private TestRegistry(RegistryAuthMode mode, int port, string directory, string configPath, string username, string password, TokenServer? tokens)
    {
        Mode = mode;
        Port = port;
        _directory = directory;
        _configPath = configPath;
        Username = username;
        Password = password;
        Tokens = tokens;
    }

    public RegistryAuthMode Mode { get; }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary><c>127.0.0.1:port</c>, as image names and config.json keys spell it.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Username { get; }

    public string Password { get; }

    /// <summary>The token server, in <see cref="RegistryAuthMode.Token"/> mode.</summary>
    public TokenServer? Tokens { get; }

    /// <summary>The registry's config file (for <c>docker-registry garbage-collect</c>).</summary>
    public string ConfigPath => _configPath;

    /// <summary>Where a blob's bytes are stored (the filesystem driver's layout); the file is gone once garbage collection freed it.</summary>
    public string BlobPath(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(_directory, "data", "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    /// <summary>What the registry printed (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static async Task<TestRegistry> StartAsync(RegistryAuthMode mode, string username = "binder", string password = "s3cret-Pa55word")
    {
        var directory = Directory.CreateTempSubdirectory("binder-test-registry-").FullName;
        var port = FreePort();
        var tokens = mode == RegistryAuthMode.Token ? await TokenServer.StartAsync(username, password).ConfigureAwait(false) : null;
        var config = new StringBuilder($"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {directory}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              secret: binder-test-registry-secret
            """);
        config.Append('\n');
        switch (mode)
        {
            case RegistryAuthMode.Basic:
                var htpasswd = Path.Combine(directory, "htpasswd");
                await File.WriteAllTextAsync(htpasswd, await HtpasswdLineAsync(username, password).ConfigureAwait(false)).ConfigureAwait(false);
                config.Append($"""
                    auth:
                      htpasswd:
                        realm: {Service}
                        path: {htpasswd}
                    """);
                break;
            case RegistryAuthMode.Token:
                var bundle = Path.Combine(directory, "token-root.pem");
                await File.WriteAllTextAsync(bundle, tokens!.CertificatePem).ConfigureAwait(false);
                config.Append($"""
                    auth:
                      token:
                        realm: {tokens.Realm}
                        service: {Service}
                        issuer: {TokenServer.Issuer}
                        rootcertbundle: {bundle}
                    """);
                break;
        }
        config.Append('\n');
        var configPath = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(configPath, config.ToString()).ConfigureAwait(false);

        var registry = new TestRegistry(mode, port, directory, configPath, username, password, tokens);
        await registry.StartAsync().ConfigureAwait(false);
        return registry;
    }

    /// <summary>Starts the process (again, after <see cref="Stop"/>) and waits until <c>/v2/</c> answers.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) return;
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(_configPath);
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"docker-registry exited with {process.ExitCode}: {Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(Url, "/v2/")).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException($"docker-registry did not answer on {Url} within 20 s: {Output}");
    }

    /// <summary>Kills the process; the port then refuses connections.</summary>
    public void Stop()
    {
        if (_process is null) return;
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        _process.Dispose();
        _process = null;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static async Task<string> HtpasswdLineAsync(string username, string password)
    {
        // -i: the password comes on stdin, not the command line. The username is the test's own constant.
        var psi = new ProcessStartInfo("htpasswd")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in (string[])["-nBi", username]) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteLineAsync(password).ConfigureAwait(false);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (process.ExitCode != 0) throw new InvalidOperationException("htpasswd failed: " + await stderr.ConfigureAwait(false));
        return line.Trim() + "\n";
    }

    /// <summary>A port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Stop();
        }
        finally
        {
            try
            {
                if (Tokens is not null) await Tokens.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    Directory.Delete(_directory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A file still being written as the process died; the temp folder is cleaned by the OS later.
                }
            }
        }
    }
}
