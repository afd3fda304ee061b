using System.Text.Json.Nodes;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Registry;
using BinderOrleans.Docker.Engine;
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
        settings["Docker:ServerNetwork"] = _docker.Network;
        // The repositories are local folders made by the test; builds clone only allowed schemes.
        settings["Providers:Git:AllowedSchemes:0"] = "file";
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
        var grain = server.Services.GetRequiredService<IGrainFactory>().GetGrain<IBuildGrain>(request.ImageName);
        using var cts = new CancellationTokenSource(BuildTimeout);
        var events = new List<BinderEvent>();
        await foreach (var e in grain.WatchAsync(request, cancellationToken: cts.Token).Select(entry => entry.Event))
        {
            events.Add(e);
            onEvent?.Invoke(e);
        }
        return events;
    }

    private static string Describe(IEnumerable<BinderEvent> events) => string.Join("", events.Select(e => $"[{e.Phase}] {e.Message}"));

    [Fact]
    public async Task BuildEndpoint_PushedImage_IsFoundAfterRestartWithoutBuildAndPulledForLaunch()
    {
        var registry = fixture.Token;
        var settings = Settings(registry);
        settings["Providers:Git:AllowedSchemes:0"] = "file";
        var repo = GitRepo.Create(new Dictionary<string, string> { ["README.md"] = $"# roundtrip {_docker.RunId}\n" });
        _repos.Add(repo);
        var path = $"build/git/{Uri.EscapeDataString(repo.Url)}/{repo.Head}";

        // 1. Build, push, launch.
        List<BinderEvent> first;
        await using (var server = await RunningServer.StartAsync(settings).WaitAsync(Timeout))
        {
            first = (await SseClient.ReadBuildAsync(server.Client, path, BuildTimeout)).Select(m => m.Event).ToList();
        }
        Assert.True(first[^1].Phase == BinderPhase.Ready, Describe(first));
        var built = Assert.Single(first, e => e.Phase == BinderPhase.Built);
        var image = built.ImageName!;
        _docker.Track(image);
        Assert.StartsWith($"{registry.Host}/binder-{_docker.RunId}/", image);
        Assert.Equal("Built image, launching...\n", built.Message);
        var order = first.Select(e => e.Phase).Distinct().ToList();
        Assert.True(order.IndexOf(BinderPhase.Building) < order.IndexOf(BinderPhase.Pushing) && order.IndexOf(BinderPhase.Pushing) < order.IndexOf(BinderPhase.Built), Describe(first));
        Assert.Contains(first, e => e.Phase == BinderPhase.Pushing && e.Message == $"Successfully pushed {image}\n");
        AssertProgressReachesLayerTotals(first);

        // 2. This node forgets the image and the server restarts: the registry has it, so nothing is built,
        //    and the launcher pulls it before starting the server.
        Assert.True(await _docker.Engine.RemoveImageIfExistsAsync(image, force: true, CancellationToken.None).WaitAsync(Timeout));
        await using var restarted = await RunningServer.StartAsync(settings).WaitAsync(Timeout);
        var second = (await SseClient.ReadBuildAsync(restarted.Client, path, BuildTimeout)).Select(m => m.Event).ToList();

        Assert.True(second[^1].Phase == BinderPhase.Ready, Describe(second));
        Assert.DoesNotContain(second, e => e.Phase is BinderPhase.Fetching or BinderPhase.Building or BinderPhase.Pushing);
        var found = Assert.Single(second, e => e.Phase == BinderPhase.Built);
        Assert.Equal(("Found built image, launching...\n", image), (found.Message, found.ImageName));
        var pulling = second.FindIndex(e => e.Phase == BinderPhase.Launching && e.Message!.StartsWith($"Pulling image {image} from {registry.Url.ToString().TrimEnd('/')}", StringComparison.Ordinal));
        Assert.True(pulling > second.IndexOf(found), Describe(second));
        Assert.Equal(image, second[^1].Image);
        Assert.NotNull(await _docker.Engine.FindImageAsync(image, CancellationToken.None).WaitAsync(Timeout));
        using var status = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var answer = await status.GetAsync(new Uri(new Uri(second[^1].Url!), $"api/status?token={second[^1].Token}"));
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
    }

    /// <summary>
    /// Every layer whose bytes were reported reaches its total in some <c>pushing</c> event; there was at least one.
    /// The engine counts tar bytes against the layer's content size, so its last count is at or a little past the total.
    /// </summary>
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
                if (current >= total) reached.Add(layer);
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
        Assert.NotNull(await _docker.Engine.FindImageAsync(request.ImageName, CancellationToken.None).WaitAsync(Timeout));
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
        Assert.NotNull(await _docker.Engine.FindImageAsync(request.ImageName, CancellationToken.None).WaitAsync(Timeout));
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
        Assert.NotNull(await _docker.Engine.FindImageAsync(image, CancellationToken.None).WaitAsync(Timeout));
    }
}
