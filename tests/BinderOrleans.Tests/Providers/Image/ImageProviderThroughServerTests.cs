using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Providers.Image;

/// <summary>The image provider inside the real server, with the fake registry, builder and launcher.</summary>
public sealed class ImageProviderThroughServerTests : IAsyncLifetime
{
    private const string Allowed = "127.0.0.1:5000/binder/";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly FakeImageRegistry _registry = new();
    private FakeImageBuilder _builder = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        // Pull-only requests pull (here: "exist" afterwards) unless the reference names a missing image.
        _builder = new FakeImageBuilder(_registry)
        {
            Script = r => !r.PullOnly
                ? throw new InvalidOperationException("An image reference must never be built.")
                : r.ImageName.Contains("missing", StringComparison.Ordinal)
                    ? [BinderEvent.Failed($"Failed to pull image {r.ImageName}: manifest unknown", 404)]
                    : [BinderEvent.Of(BinderPhase.Fetching, $"Pulled image {r.ImageName}")],
        };
        _server = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:Image:AllowedPrefixes:0"] = Allowed,
            ["Logging:LogLevel:Default"] = "Warning",
        }, services =>
        {
            services.RemoveAll<IImageRegistry>();
            services.RemoveAll<IImageBuilder>();
            services.RemoveAll<ILauncher>();
            services.AddSingleton<IImageRegistry>(_registry);
            services.AddSingleton<IImageBuilder>(_builder);
            services.AddSingleton<ILauncher>(FakeLauncher.Instant("http://127.0.0.1:1/user/x/", "t"));
        }).WaitAsync(Timeout);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PresentImage_IsLaunchedAsIs_WithoutPullOrBuild()
    {
        _registry.Images.Add(Allowed + "present:latest");
        var events = await BuildAsync(Allowed + "present:latest");
        Assert.Equal([BinderPhase.Built, BinderPhase.Launching, BinderPhase.Ready], events.Select(e => e.Phase));
        Assert.Equal(Allowed + "present:latest", events[0].ImageName);
        Assert.Equal(0, _builder.Calls);
    }

    [Fact]
    public async Task AbsentImage_IsPulledOnly_ThenLaunched()
    {
        var events = await BuildAsync(Allowed + "demo:v1");
        Assert.Equal(BinderPhase.Ready, events[^1].Phase);
        Assert.Contains(events, e => e.Phase == BinderPhase.Built && e.ImageName == Allowed + "demo:v1");
        var request = _builder.LastRequest;
        Assert.NotNull(request);
        Assert.True(request.PullOnly);
        Assert.Equal(Allowed + "demo:v1", request.ImageName);
        Assert.Equal("v2/image/" + Uri.EscapeDataString(Allowed + "demo:v1"), events[^1].BinderPersistentRequest);
    }

    [Fact]
    public async Task MissingImage_FailsWith404_AndNeverLaunches()
    {
        var events = await BuildAsync(Allowed + "missing:latest");
        Assert.Equal(BinderPhase.Failed, events[^1].Phase);
        Assert.Equal(404, events[^1].StatusCode);
        Assert.DoesNotContain(events, e => e.Phase == BinderPhase.Launching);
    }

    [Fact]
    public async Task ReferenceOutsideThePrefixes_IsRefusedWith403_BeforeAnythingRuns()
    {
        var only = Assert.Single(await BuildAsync("127.0.0.1:5000/other/demo:latest"));
        Assert.Equal(BinderPhase.Failed, only.Phase);
        Assert.Equal(403, only.StatusCode);
        Assert.Contains("Providers:Image:AllowedPrefixes", only.Message);
        Assert.Equal(0, _builder.Calls);
        Assert.Equal(0, _registry.Lookups);
    }

    [Theory]
    [InlineData(Allowed + "Demo:latest")]
    [InlineData(Allowed + "demo")]
    [InlineData("--help")]
    public async Task MalformedReference_IsRefusedWith400(string reference)
    {
        var only = Assert.Single(await BuildAsync(reference));
        Assert.Equal(400, only.StatusCode);
        Assert.Equal(0, _builder.Calls);
    }

    [Fact]
    public async Task WithoutAllowedPrefixes_EveryImageIsRefusedWith403NamingTheSetting()
    {
        await using var plain = await RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
        }, ResolveOnlyBackends.Use).WaitAsync(Timeout);
        var only = Assert.Single((await SseClient.ReadBuildAsync(plain.Client, "build/image/" + Uri.EscapeDataString(Allowed + "demo:latest"), Timeout))
            .Select(m => m.Event));
        Assert.Equal(403, only.StatusCode);
        Assert.Contains("Providers:Image:AllowedPrefixes", only.Message);
        Assert.DoesNotContain("image", await ProviderIdsAsync(plain.Client));
    }

    [Fact]
    public async Task WithAllowedPrefixes_RepoProvidersListsImage() =>
        Assert.Contains("image", await ProviderIdsAsync(_server.Client));

    private static async Task<List<string?>> ProviderIdsAsync(HttpClient client)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var doc = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("api/repoproviders", cts.Token));
        return doc.RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
    }

    private async Task<List<BinderEvent>> BuildAsync(string reference) =>
        (await SseClient.ReadBuildAsync(_server.Client, "build/image/" + Uri.EscapeDataString(reference), Timeout)).Select(m => m.Event).ToList();
}
