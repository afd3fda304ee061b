using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BinderOrleans.IntegrationTests.KubernetesNode;

/// <summary>
/// The service image built offline by <c>scripts/service-image.sh</c> and run on the main engine as
/// <c>k8s/deployment.yaml</c> runs it: the engine socket mounted, the image's own user (with the socket's group),
/// here in the host's network so it reaches the loopback git host and the servers it launches.
/// </summary>
public sealed class ServiceImageTests : IAsyncLifetime
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    private const string Socket = "/var/run/docker.sock";

    private readonly DockerSandbox _sandbox = new();
    private readonly IDockerClient _engine = DockerClientFactory.Create(new DockerOptions());
    private readonly List<GitRepo> _repos = [];
    private GitRoot _git = null!;
    private string _container = "";
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var image = await ServiceImage.GetAsync().WaitAsync(ServiceImage.BuildTimeout);
        _git = await GitRoot.StartAsync();
        var port = FreePorts.Next();
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            Timeout = TimeSpan.FromMinutes(5),
        };
        var settings = _sandbox.Settings();
        // Checkouts happen inside the container, in its own temp folder.
        settings.Remove("Docker:WorkDirectory");
        settings["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        settings["Orleans:GatewayPort"] = "0";
        settings["Security:RateLimit"] = "0";
        // The outbound guard lets builds reach only what this names; the git host is on loopback.
        settings["Security:AllowedTargetNetworks:0"] = "127.0.0.0/8";
        settings["Binder:ReadyHoldOpen"] = "00:00:00";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information";
        using var timeout = new CancellationTokenSource(CallTimeout);
        _container = await _engine.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = [$"--urls=http://127.0.0.1:{port}", .. settings.Select(s => $"--{s.Key}={s.Value}")],
            Labels = new Dictionary<string, string> { [DockerSandbox.LabelKey] = _sandbox.RunId },
            HostConfig = new HostConfig
            {
                NetworkMode = "host",
                Binds = [$"{Socket}:{Socket}"],
                // The image's user is not root: it reaches the socket through the socket's group, as a pod would
                // through supplementalGroups.
                GroupAdd = [SocketGroup()],
            },
        }, timeout.Token);
        await _engine.StartContainerAsync(_container, timeout.Token);
        await WaitAnsweringAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_git is not null) await _git.DisposeAsync();
        foreach (var repo in _repos) repo.Dispose();
        await _sandbox.DisposeAsync();
        _engine.Dispose();
    }

    [Fact]
    public async Task ServiceImage_AnswersVersions_RunsAsNonRoot_AndStopsCleanlyOnSigterm()
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        using var versions = await _client.GetAsync("versions", timeout.Token);
        Assert.Equal(HttpStatusCode.OK, versions.StatusCode);
        using var json = JsonDocument.Parse(await versions.Content.ReadAsStringAsync(timeout.Token));
        Assert.True(json.RootElement.TryGetProperty("binderhub", out _), json.RootElement.ToString());

        var inspect = await _engine.FindContainerAsync(_container, timeout.Token);
        Assert.Equal("1654", inspect?.Config?.User);
        var id = await _engine.ExecAsync(_container, ["id", "-u"], null, timeout.Token);
        Assert.Equal("1654", id!.Stdout.Trim());
        // The front-end assets are in the image and served.
        using (var script = await _client.GetAsync("lib/signalr/signalr.min.js", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }

        // SIGTERM reaches the server through tini, and the host shuts down gracefully: exit 0 well before the engine's
        // 30 s would turn it into a SIGKILL (137).
        var stopwatch = Stopwatch.StartNew();
        await _engine.Containers.StopContainerAsync(_container, new ContainerStopParameters { WaitBeforeKillSeconds = 30 }, timeout.Token);
        stopwatch.Stop();
        var stopped = await _engine.FindContainerAsync(_container, timeout.Token);
        Assert.Equal(0, stopped?.State?.ExitCode);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {stopwatch.Elapsed}");
        Assert.Contains("Application is shutting down", await _engine.TailLogsAsync(_container, 200, timeout.Token) ?? "");
    }

    [Fact]
    public async Task ServiceImage_WithTheEngineSocketMounted_BuildsAndLaunchesARepositoryFromALoopbackGitHost()
    {
        var repo = GitRepo.Create(new Dictionary<string, string>
        {
            ["Dockerfile"] = $"""
                FROM binderorleans-base:bookworm
                RUN echo "{Guid.NewGuid():N}" > /tmp/unique
                USER jovyan
                WORKDIR /home/jovyan
                """,
        });
        _repos.Add(repo);
        var url = _git.Serve(repo, "served");

        var messages = await SseClient.ReadBuildAsync(_client, $"build/git/{Uri.EscapeDataString(url)}/{repo.Head}", BuildTimeout);

        var log = string.Join(" | ", messages.Select(m => m.Data));
        var phases = messages.Select(m => m.Event.Phase).Distinct().ToList();
        Assert.True(phases.Contains(BinderPhase.Fetching) && phases.Contains(BinderPhase.Building) && phases.Contains(BinderPhase.Built), log);
        var ready = messages[^1].Event;
        Assert.True(ready.Phase == BinderPhase.Ready, log);
        Assert.True(_git.Host.Requests > 0, "the git host was never asked");
        using (var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) })
        using (var status = await http.GetAsync(new Uri(new Uri(ready.Url!), "api/status?token=" + Uri.EscapeDataString(ready.Token!))))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }
        using var timeout = new CancellationTokenSource(CallTimeout);
        var built = await _engine.FindImageAsync(ready.Image!, timeout.Token);
        Assert.NotNull(built);
        Assert.Equal(url, built.Config!.Labels!["repo2docker.repo"]);
    }

    private async Task WaitAnsweringAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = await _engine.FindContainerAsync(_container, cancellationToken);
            if (state?.State?.Running != true)
            {
                throw new InvalidOperationException("The service container exited:\n" + await _engine.TailLogsAsync(_container, 100, cancellationToken));
            }
            try
            {
                using var response = await _client.GetAsync("versions", cancellationToken);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    private static string SocketGroup()
    {
        var psi = new ProcessStartInfo("stat", ["-c", "%g", Socket]) { RedirectStandardOutput = true };
        using var stat = Process.Start(psi)!;
        var gid = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit(10_000);
        return gid;
    }
}
