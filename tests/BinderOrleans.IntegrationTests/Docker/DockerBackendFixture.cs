using System.Globalization;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Docker;
using BinderOrleans.Docker.Engine;
using BinderOrleans.Testing;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BinderOrleans.IntegrationTests.Docker;

/// <summary>
/// One real server on the real engine for the whole Docker collection, in its own sandbox (label + build folder),
/// so images built by one test are reused by the next and everything is removed at the end.
/// </summary>
public sealed class DockerBackendFixture : IAsyncLifetime
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(4);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    public DockerSandbox Sandbox { get; } = new();

    public RunningServer Server { get; private set; } = null!;

    internal IDockerClient Engine { get; } = DockerClientFactory.Create(new DockerOptions());

    public Dictionary<string, string?> Settings()
    {
        var settings = Sandbox.Settings();
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        settings["Logging:LogLevel:Default"] = "Warning";
        return settings;
    }

    public async Task InitializeAsync() => Server = await RunningServer.StartAsync(Settings()).WaitAsync(CallTimeout);

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        await Sandbox.DisposeAsync();
        Engine.Dispose();
    }

    public static string BuildPath(GitRepo repo, string commit) => $"build/git/{Uri.EscapeDataString(repo.Url)}/{commit}";

    public Task<List<SseMessage>> StreamAsync(GitRepo repo, string commit) =>
        SseClient.ReadBuildAsync(Server.Client, BuildPath(repo, commit), BuildTimeout);

    /// <summary>The server container a <c>ready</c> event points at (found by its port label).</summary>
    internal async Task<ContainerListResponse> ContainerOfAsync(BinderEvent ready)
    {
        var port = new Uri(ready.Url!).Port.ToString(CultureInfo.InvariantCulture);
        using var timeout = new CancellationTokenSource(CallTimeout);
        var containers = await Engine.ListContainersAsync([Sandbox.Label, $"binderorleans.port={port}"], all: true, timeout.Token);
        return Assert.Single(containers);
    }

    /// <summary>Runs a command in a server container as its user.</summary>
    internal async Task<ExecResult> ExecAsync(string containerId, params string[] command)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        return await Engine.ExecAsync(containerId, command, null, timeout.Token) ?? throw new InvalidOperationException("container gone");
    }

    /// <summary>This run's containers that were not in <paramref name="before"/> (other tests' leftovers do not count).</summary>
    internal async Task<List<string>> NewContainersAsync(IReadOnlyCollection<string> before) =>
        (await Sandbox.ContainerIdsAsync()).Except(before).ToList();

    /// <summary>How many times the engine tagged <paramref name="image"/> since <paramref name="since"/>: once per build it ran, cached or not.</summary>
    internal async Task<int> BuildsOfAsync(string image, DateTimeOffset since)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        var events = new List<Message>();
        // The call returns once "until" has passed; Report runs on the reading thread, one message at a time.
        await Engine.System.MonitorEventsAsync(new ContainerEventsParameters
        {
            Since = since.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["type"] = new Dictionary<string, bool> { ["image"] = true },
                ["event"] = new Dictionary<string, bool> { ["tag"] = true },
                ["image"] = new Dictionary<string, bool> { [image] = true },
            },
        }, new Progress(events.Add), timeout.Token);
        return events.Count(e => e.TimeNano is { } nanos && DateTimeOffset.UnixEpoch.AddTicks(nanos / 100) >= since);
    }

    /// <summary>Removes a server container a test no longer needs (keeps the machine light).</summary>
    internal async Task RemoveAsync(string containerId)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        await Engine.RemoveContainerIfExistsAsync(containerId, timeout.Token);
    }

    /// <summary>GET {url}api/status?token={token}, as a client of the launched server would.</summary>
    public static async Task<HttpResponseMessage> GetStatusAsync(BinderEvent ready)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetAsync(new Uri(new Uri(ready.Url!), "api/status?token=" + Uri.EscapeDataString(ready.Token!)));
    }

    /// <summary>Collects synchronously: <see cref="Progress{T}"/> would post to the thread pool and could lose the last ones.</summary>
    private sealed class Progress(Action<Message> report) : IProgress<Message>
    {
        public void Report(Message value) => report(value);
    }
}
