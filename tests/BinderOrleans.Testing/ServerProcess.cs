using System.Diagnostics;
using System.Globalization;
using System.Text;
using BinderOrleans.Server.Hosting;

namespace BinderOrleans.Testing;

/// <summary>
/// The real server as its own process (<c>dotnet BinderOrleans.Server.dll</c>, the build the test itself runs
/// against), on 127.0.0.1 with ports of its own: a replica for tests of several replicas, which can be killed.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, Uri baseUri, int siloPort)
    {
        _process = process;
        BaseUri = baseUri;
        SiloPort = siloPort;
        Client = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(5) };
        // A test host (or the bench) that ends without disposing must not leave its server running.
        AppDomain.CurrentDomain.ProcessExit += OnHostExit;
    }

    public Uri BaseUri { get; }

    public int SiloPort { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the process printed so far (for assertion messages).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <param name="settings">Configuration keys (<c>Orleans:Clustering</c>, …) given as <c>--Key=value</c>.</param>
    /// <param name="environment">Extra environment variables (a pod's downward-API ones, say); they override the defaults (<c>DOTNET_ENVIRONMENT=Development</c>).</param>
    /// <param name="program">
    /// Another program that hosts the server (a <c>.dll</c> run with <c>dotnet</c>, then its first arguments), such as the
    /// bench's replica with in-memory builder and launcher; default the server itself.
    /// </param>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> settings, TimeSpan? startTimeout = null,
        IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? program = null)
    {
        var dll = program is { Count: > 0 } ? program[0] : ServerDll();
        var httpPort = FreePorts.Next();
        var siloPort = FreePorts.Next();
        var effective = new Dictionary<string, string?>(RunningServer.TestDefaults, StringComparer.OrdinalIgnoreCase)
        {
            ["Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = "0",
            ["Logging:LogLevel:Default"] = "Information",
        };
        foreach (var (k, v) in settings) effective[k] = v;
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in program?.Skip(1) ?? []) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add($"--urls=http://127.0.0.1:{httpPort}");
        foreach (var (k, v) in effective)
        {
            if (v is not null) psi.ArgumentList.Add($"--{k}={v}");
        }
        psi.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("The server process did not start.");
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{httpPort}/"), siloPort);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(startTimeout ?? TimeSpan.FromSeconds(90)).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The server project's own build output, of the configuration the tests were built in (its runtimeconfig and deps
    /// files sit there); the copy next to the test assembly otherwise.
    /// </summary>
    private static string ServerDll()
    {
        var here = typeof(BinderServer).Assembly.Location;
        var configuration = new DirectoryInfo(Path.GetDirectoryName(here)!).Parent?.Name ?? "Release";
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(here)!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "BinderOrleans.Server", "bin", configuration, "net10.0", "BinderOrleans.Server.dll");
            if (File.Exists(candidate)) return candidate;
        }
        return here;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Waits until <c>/health/silo</c> says the replica's silo is an active member of its cluster.</summary>
    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Client.GetAsync("health/silo", cts.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"The server did not answer within {timeout}:\n{Output}");
            }
            await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: the replica dies without a word to its cluster.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>SIGTERM: what Kubernetes sends a pod it stops (a rolling update); the replica drains, then exits.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", Pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start.");
        if (!kill.WaitForExit(10_000) || kill.ExitCode != 0) throw new InvalidOperationException($"kill -TERM {Pid} failed.");
    }

    /// <summary>Waits for the process to exit on its own; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
        return _process.ExitCode;
    }

    private void OnHostExit(object? sender, EventArgs e) => Kill();

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnHostExit;
        Client.Dispose();
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
    }
}
