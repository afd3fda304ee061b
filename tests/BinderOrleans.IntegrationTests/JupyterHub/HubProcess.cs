using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace BinderOrleans.IntegrationTests.JupyterHub;

/// <summary>
/// A real JupyterHub (Debian's 3.0) with configurable-http-proxy, on loopback ports, in a temp dir; started and stopped by
/// the test. The hub runs in its own process group; CHP (its own session) is found by its pid file. Containers the
/// test spawner starts carry <see cref="ContainerLabel"/> and are removed on dispose.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    public const string Image = "binderorleans-base:bookworm";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly string _dir;
    private readonly HubPorts _ports;
    private readonly LogTail _log = new(200);
    private Process? _hub;

    private HubProcess(string dir, HubPorts ports, string runId)
    {
        _dir = dir;
        _ports = ports;
        RunId = runId;
        ApiToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        PublicUrl = new Uri($"http://127.0.0.1:{ports.Public}/");
        ApiUrl = new Uri(PublicUrl, "hub/api/");
        Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("token", ApiToken);
    }

    /// <summary>Unique per hub: names of users and images this test run creates include it.</summary>
    public string RunId { get; }

    public string ContainerLabel => $"binderorleans.test.jupyterhub={RunId}";

    public string ApiToken { get; }

    public Uri PublicUrl { get; }

    public Uri ApiUrl { get; }

    /// <summary>Authenticated as the hub's <c>binder</c> service, for the tests' own checks.</summary>
    public HttpClient Http { get; }

    public string RecentLog => _log.ToString();

    /// <param name="extraConfig">
    /// Python appended to <c>jupyterhub_config.py</c>, given this hub (for its token) to write it; later settings win.
    /// </param>
    public static async Task<HubProcess> StartAsync(Func<HubProcess, string>? extraConfig = null)
    {
        var runId = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var dir = Directory.CreateTempSubdirectory("binder-test-hub-").FullName;
        var hub = new HubProcess(dir, HubPorts.Pick(), runId);
        var config = HubConfig.Render(hub._ports, dir, hub.ApiToken, FindProxy(), hub.ContainerLabel) + "\n" + (extraConfig?.Invoke(hub) ?? "");
        await File.WriteAllTextAsync(Path.Combine(dir, "jupyterhub_config.py"), config).ConfigureAwait(false);
        try
        {
            await hub.StartAgainAsync().ConfigureAwait(false);
        }
        catch
        {
            await hub.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return hub;
    }

    /// <summary>Starts the hub (again, after <see cref="StopAsync"/>) and waits until its API answers through the proxy.</summary>
    public async Task StartAgainAsync()
    {
        if (_hub is { HasExited: false }) throw new InvalidOperationException("The hub is running.");
        // setsid: the hub leads its own process group, so stopping it reaches whatever it started in that group.
        var psi = new ProcessStartInfo("setsid") { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "jupyterhub", "-f", Path.Combine(_dir, "jupyterhub_config.py") }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start jupyterhub");
        process.OutputDataReceived += (_, e) => _log.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _log.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _hub = process;

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"jupyterhub exited with {process.ExitCode}:\n{RecentLog}");
            try
            {
                using var response = await probe.GetAsync(new Uri(ApiUrl, "health")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
        throw new TimeoutException($"jupyterhub did not answer within {StartTimeout}:\n{RecentLog}");
    }

    /// <summary>Stops the hub (it stops its servers and the proxy); kills the group and the proxy if they linger.</summary>
    public async Task StopAsync()
    {
        if (_hub is { } hub)
        {
            if (!hub.HasExited)
            {
                _ = Kill(-hub.Id, SigTerm);
                using var wait = new CancellationTokenSource(StopTimeout);
                try
                {
                    await hub.WaitForExitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            _ = Kill(-hub.Id, SigKill);
            hub.Dispose();
            _hub = null;
        }
        await KillProxyAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await RemoveContainersAsync().ConfigureAwait(false);
        Http.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The hub's user model, or null when there is no such user.</summary>
    public async Task<System.Text.Json.Nodes.JsonObject?> GetUserAsync(string name)
    {
        using var response = await Http.GetAsync(new Uri(ApiUrl, "users/" + Uri.EscapeDataString(name))).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false)) as System.Text.Json.Nodes.JsonObject;
    }

    /// <summary>Names of all hub users.</summary>
    public async Task<IReadOnlyList<string>> UserNamesAsync()
    {
        var body = await Http.GetStringAsync(new Uri(ApiUrl, "users")).ConfigureAwait(false);
        return System.Text.Json.Nodes.JsonNode.Parse(body)!.AsArray().Select(u => (string)u!["name"]!).ToList();
    }

    /// <summary>Deletes a user (stopping its servers); the tests' own cleanup.</summary>
    public async Task DeleteUserAsync(string name)
    {
        for (var i = 0; i < 50; i++)
        {
            using var response = await Http.DeleteAsync(new Uri(ApiUrl, "users/" + Uri.EscapeDataString(name))).ConfigureAwait(false);
            if (response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotFound) return;
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    /// <summary>Ids of containers this hub's spawner started that are still there (running or not).</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync()
    {
        var (_, output) = await Cli.DockerAsync(["ps", "-aq", "--filter", $"label={ContainerLabel}"]).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Ids of running containers the spawner started for hub user <paramref name="user"/>.</summary>
    public async Task<IReadOnlyList<string>> RunningContainersOfAsync(string user)
    {
        var (_, output) = await Cli.DockerAsync(["ps", "-q", "--filter", $"label={ContainerLabel}", "--filter", $"label=binderorleans.test.hubuser={user}"])
            .ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private async Task RemoveContainersAsync()
    {
        var ids = await ContainersAsync().ConfigureAwait(false);
        if (ids.Count > 0) await Cli.DockerAsync(["rm", "-f", "--", .. ids]).ConfigureAwait(false);
    }

    private async Task KillProxyAsync()
    {
        var pidFile = Path.Combine(_dir, "proxy.pid");
        if (!File.Exists(pidFile) || !int.TryParse((await File.ReadAllTextAsync(pidFile).ConfigureAwait(false)).Trim(), out var pid)) return;
        // Only a process that still is our proxy (pids get reused).
        var cmdline = $"/proc/{pid}/cmdline";
        if (!File.Exists(cmdline) || !(await File.ReadAllTextAsync(cmdline).ConfigureAwait(false)).Contains("configurable-http-proxy", StringComparison.Ordinal)) return;
        _ = Kill(-pid, SigTerm);
        for (var i = 0; i < 50 && File.Exists(cmdline); i++) await Task.Delay(100).ConfigureAwait(false);
        _ = Kill(-pid, SigKill);
    }

    private static string FindProxy()
    {
        // Debian's /usr/bin/configurable-http-proxy is broken with this Node; scripts/setup.sh puts npm's in /usr/local/bin.
        foreach (var candidate in new[] { "/usr/local/bin/configurable-http-proxy", "/usr/bin/configurable-http-proxy" })
        {
            if (!File.Exists(candidate)) continue;
            var (code, _) = Cli.Run(candidate, ["--version"]);
            if (code == 0) return candidate;
        }
        throw new InvalidOperationException("No working configurable-http-proxy: run `bash scripts/setup.sh --with jupyterhub`.");
    }

    private const int SigTerm = 15;
    private const int SigKill = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
