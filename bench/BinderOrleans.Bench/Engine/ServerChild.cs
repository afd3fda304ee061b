using System.Diagnostics;
using System.Globalization;
using BinderOrleans.Testing;

namespace BinderOrleans.Bench.Engine;

/// <summary>
/// The release build of the server (<c>src/BinderOrleans.Server/bin/Release/net10.0/BinderOrleans.Server.dll</c>) as a
/// process of its own on 127.0.0.1, so its memory can be read apart from the clients'. Configuration goes on the command
/// line as <c>--Key=value</c>; the process tree is killed on dispose and on a failed start.
/// </summary>
internal sealed class ServerChild : IAsyncDisposable
{
    private const int KeptLines = 200;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServerChild(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
        // The bench's watchdog ends it with Environment.Exit; the server must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += OnBenchExit;
    }

    public Uri BaseUri { get; }

    public int Pid => _process.Id;

    /// <summary>The last lines the process printed (for error messages).</summary>
    public string Output
    {
        get { lock (_output) return string.Join('\n', _output); }
    }

    public static async Task<ServerChild> StartAsync(IReadOnlyDictionary<string, string?> settings, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken)
    {
        var dll = ServerDll();
        var port = FreePorts.Next();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--urls=http://127.0.0.1:{port}"));
        foreach (var (key, value) in settings)
        {
            if (value is not null) psi.ArgumentList.Add($"--{key}={value}");
        }
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("the server process did not start");
        var server = new ServerChild(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The repository's Release build of the server: found by walking up from the bench's own folder to the solution.</summary>
    private static string ServerDll()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "BinderOrleans.sln"))) continue;
                var dll = Path.Combine(dir.FullName, "src", "BinderOrleans.Server", "bin", "Release", "net10.0", "BinderOrleans.Server.dll");
                if (File.Exists(dll)) return dll;
                throw new FileNotFoundException($"{dll} is missing: build the solution (or the bench) with -c Release", dll);
            }
        }
        throw new DirectoryNotFoundException("the repository root (BinderOrleans.sln) is above neither the bench nor the current directory");
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptLines) _output.Dequeue();
        }
    }

    /// <summary>Until <c>/health</c> answers 200, at most <see cref="StartLimit"/>.</summary>
    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartLimit);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
        var last = "no answer";
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                await Task.Delay(200, limit.Token).ConfigureAwait(false);
                using (var response = await client.GetAsync("health", limit.Token).ConfigureAwait(false))
                {
                    if (response.IsSuccessStatusCode) return;
                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false)}";
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"the server's /health did not answer 200 within {StartLimit} (last: {last}):\n{Output}");
            }
        }
    }

    private void OnBenchExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnBenchExit;
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
