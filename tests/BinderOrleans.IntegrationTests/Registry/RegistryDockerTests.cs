using System.Text.Json.Nodes;
using BinderOrleans.Core.Events;
using BinderOrleans.Core.Grains;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Ports;
using BinderOrleans.Core.Registry;
using BinderOrleans.Docker.Registry;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BinderOrleans.IntegrationTests.Registry;

/// <summary>Builds pushed to the real registry by the real engine, found again after a restart, pulled for a launch.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegistryDockerTests(RegistryFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly DockerTestResources _docker = new();
    private readonly List<GitRepo> _repos = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _docker.DisposeAsync();
        foreach (var repo in _repos) repo.Dispose();
    }

    private Dictionary<string, string?> Settings(TestRegistry registry, string? password = null)
    {
        var settings = RegistryServices.Settings(registry, password: password);
        settings["Binder:ImagePrefix"] = $"{registry.Host}/binder-{_docker.RunId}/";
        settings[$"Docker:Labels:{DockerTestResources.LabelKey}"] = _docker.RunId;
        settings["Build:GrainLinger"] = "00:00:00.100";
        return settings;
    }

    private (BuildRequest Request, GitRepo Repo) NewRepo(TestRegistry registry, string what)
    {
        var repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = $"# {what} {_docker.RunId}\n" });
        _repos.Add(repo);
        var slug = $"{what}-{_docker.RunId}";
        var image = ImageNaming.ImageName($"{registry.Host}/binder-{_docker.RunId}/", slug, repo.Head);
        _docker.Track(image);
        return (new BuildRequest(image, ImageNaming.BuildName(slug, repo.Head), repo.Url, repo.Head, "git"), repo);
    }

    private static async Task<List<BinderEvent>> BuildAsync(RunningServer server, BuildRequest request, Action<BinderEvent>? onEvent = null)
    {
        var grain = server.Services.GetRequiredService<BuildGrains>().Attach(request, out _);
        using var cts = new CancellationTokenSource(BuildTimeout);
        var events = new List<BinderEvent>();
        await foreach (var e in grain.WatchAsync(cts.Token))
        {
            events.Add(e);
            onEvent?.Invoke(e);
        }
        return events;
    }

    private static string Describe(IEnumerable<BinderEvent> events) => string.Join("", events.Select(e => $"[{e.Phase}] {e.Message}"));

    [Fact]
    public async Task Build_PushedImage_IsFoundAfterRestartWithoutBuildAndPulledForLaunch()
    {
        var registry = fixture.Token;
        var settings = Settings(registry);
        var (request, repo) = NewRepo(registry, "roundtrip");

        // 1. Build and push.
        List<BinderEvent> first;
        await using (var server = await RunningServer.StartAsync(settings).WaitAsync(Timeout))
        {
            first = await BuildAsync(server, request);
        }
        var built = first[^1];
        Assert.True(built.Phase == BinderPhase.Built, Describe(first));
        Assert.Equal(request.ImageName, built.ImageName);
        Assert.Contains(first, e => e.Phase == BinderPhase.Building);
        Assert.Contains(first, e => e.Phase == BinderPhase.Pushing && e.Message == $"Successfully pushed {request.ImageName}\n");
        AssertProgressReachesLayerTotals(first);

        // 2. The node forgets the image; a restarted server finds it in the registry without building.
        Assert.True(await _docker.Engine.RemoveImageAsync(request.ImageName, force: true, CancellationToken.None).WaitAsync(Timeout));
        await using var restarted = await RunningServer.StartAsync(settings).WaitAsync(Timeout);
        var second = await BuildAsync(restarted, request);
        var found = Assert.Single(second);
        Assert.Equal((BinderPhase.Built, "Found built image, launching...\n", request.ImageName), (found.Phase, found.Message, found.ImageName));

        // 3. The launcher pulls it and the server comes up.
        var launcher = restarted.Services.GetRequiredService<ILauncher>();
        var launch = new LaunchRequest(request.ImageName, repo.Url, "git", $"{repo.Url}/{repo.Head}", repo.Url, restarted.BaseUri.ToString(),
            "v2/git/x", "v2/git/x", "127.0.0.1");
        var launchEvents = new List<BinderEvent>();
        using (var cts = new CancellationTokenSource(Timeout))
        {
            await foreach (var e in launcher.LaunchAsync(launch, cts.Token)) launchEvents.Add(e);
        }
        Assert.Contains(launchEvents, e => e.Phase == BinderPhase.Launching && e.Message!.StartsWith($"Pulling image {request.ImageName}", StringComparison.Ordinal));
        var ready = launchEvents[^1];
        Assert.True(ready.Phase == BinderPhase.Ready, Describe(launchEvents));
        Assert.False(string.IsNullOrEmpty(ready.Token));
        Assert.NotNull(await _docker.Engine.InspectImageAsync(request.ImageName, CancellationToken.None).WaitAsync(Timeout));
    }

    /// <summary>Every layer whose bytes were reported reaches its total in some <c>pushing</c> event; there was at least one.</summary>
    private static void AssertProgressReachesLayerTotals(List<BinderEvent> events)
    {
        var pushing = events.Where(e => e.Phase == BinderPhase.Pushing && e.Progress is not null).ToList();
        Assert.NotEmpty(pushing);
        var totals = new Dictionary<string, long>();
        var reached = new HashSet<string>();
        foreach (var e in pushing)
        {
            Assert.Equal("Pushing image\n", e.Message);
            foreach (var (layer, value) in e.Progress!.AsObject())
            {
                if (value is not JsonObject detail) continue;
                var current = detail["current"]!.GetValue<long>();
                var total = detail["total"]!.GetValue<long>();
                totals[layer] = total;
                if (current == total) reached.Add(layer);
            }
        }
        Assert.NotEmpty(totals);
        Assert.Equal(totals.Keys.Order(), reached.Order());
    }

    [Fact]
    public async Task Build_RegistryDownThroughout_LookupRetriedThenBuiltAndPushFailureNamesRegistry()
    {
        await using var registry = await TestRegistry.StartAsync(RegistryAuthMode.None).WaitAsync(Timeout);
        var settings = Settings(registry);
        registry.Stop();
        var (request, _) = NewRepo(registry, "down");
        var logs = new CapturingLoggerProvider();

        await using var server = await RunningServer.StartAsync(settings, services => services.AddSingleton<ILoggerProvider>(logs)).WaitAsync(Timeout);
        var events = await BuildAsync(server, request);

        Assert.Equal(2, logs.Lines.Count(l => l.Contains($"Lookup of binder-{_docker.RunId}/", StringComparison.Ordinal) && l.Contains("retrying", StringComparison.Ordinal)));
        Assert.Contains(logs.Lines, l => l.Contains("Image lookup for", StringComparison.Ordinal) && l.Contains("3 attempts", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Phase == BinderPhase.Building);
        var failed = events[^1];
        Assert.True(failed.Phase == BinderPhase.Failed, Describe(events));
        Assert.StartsWith($"Pushing {request.ImageName} to registry {registry.Url.ToString().TrimEnd('/')} failed:", failed.Message);
        Assert.Contains("connection refused", failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(await _docker.Engine.InspectImageAsync(request.ImageName, CancellationToken.None).WaitAsync(Timeout));
    }

    [Fact]
    public async Task Build_RegistryDiesDuringBuild_PushFailsWithReasonAndLocalImageIsKept()
    {
        await using var registry = await TestRegistry.StartAsync(RegistryAuthMode.Basic).WaitAsync(Timeout);
        var (request, _) = NewRepo(registry, "dies");

        await using var server = await RunningServer.StartAsync(Settings(registry)).WaitAsync(Timeout);
        var events = await BuildAsync(server, request, e =>
        {
            if (e.Phase == BinderPhase.Building) registry.Stop();
        });

        Assert.Equal(BinderPhase.Waiting, events[0].Phase);
        var failed = events[^1];
        Assert.True(failed.Phase == BinderPhase.Failed, Describe(events));
        Assert.Contains(registry.Url.ToString().TrimEnd('/'), failed.Message);
        Assert.Contains("The image is kept in the local engine.", failed.Message);
        Assert.NotNull(await _docker.Engine.InspectImageAsync(request.ImageName, CancellationToken.None).WaitAsync(Timeout));
    }

    [Theory]
    [InlineData(RegistryAuthMode.Basic)]
    [InlineData(RegistryAuthMode.Token)]
    public async Task Push_WrongPassword_FailsNamingRegistryWithoutPasswordAndKeepsImage(RegistryAuthMode mode)
    {
        var registry = fixture.Get(mode);
        const string wrongPassword = "wrong-Pa55word-for-push";
        var image = $"{registry.Host}/binder-{_docker.RunId}/wrongpw:{mode.ToString().ToLowerInvariant()}";
        await _docker.TagAsync("binderorleans-base:bookworm", image);
        await using var services = RegistryServices.Create(Settings(registry, wrongPassword));
        var pusher = new RegistryImagePusher(_docker.Engine, services.GetRequiredService<RegistryEndpoint>(), TimeProvider.System,
            services.GetRequiredService<ILogger<RegistryImagePusher>>());

        var events = new List<BinderEvent>();
        using (var cts = new CancellationTokenSource(Timeout))
        {
            await foreach (var e in pusher.PushAsync(image, cts.Token)) events.Add(e);
        }

        var failed = events[^1];
        Assert.True(failed.Phase == BinderPhase.Failed, Describe(events));
        Assert.StartsWith($"Pushing {image} to registry {registry.Url.ToString().TrimEnd('/')} failed:", failed.Message);
        Assert.Contains("unauthorized", failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.All(events, e => Assert.DoesNotContain(wrongPassword, BinderEventJson.Serialize(e)));
        Assert.NotNull(await _docker.Engine.InspectImageAsync(image, CancellationToken.None).WaitAsync(Timeout));
    }
}
