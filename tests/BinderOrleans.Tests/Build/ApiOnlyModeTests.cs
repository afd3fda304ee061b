using System.Net;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Build;

/// <summary><c>Binder:EnableApiOnlyMode</c> and <c>build_only=true</c> on the real server (BinderHub's enable_api_only_mode).</summary>
public sealed class ApiOnlyModeTests
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    private static readonly Dictionary<string, string?> ApiOnly = new() { ["Binder:EnableApiOnlyMode"] = "true" };

    [Fact]
    public async Task ApiOnly_ServesTheApiRoutes_NotThePagesOrTheHub()
    {
        await using var server = await FakeBackends.StartServerAsync(ApiOnly);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        foreach (var path in new[] { "versions", "metrics", "api/repoproviders" })
        {
            using var response = await server.Client.GetAsync(path, timeout.Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
        }
        using (var health = await server.Client.GetAsync("health", timeout.Token))
        {
            Assert.NotEqual(HttpStatusCode.NotFound, health.StatusCode);
        }
        var messages = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", StreamTimeout);
        Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);

        foreach (var path in new[] { "", "about", "v2/fake/a/b/HEAD", "repo/a/b", "static/js/binder.js", "badge_logo.svg" })
        {
            using var response = await server.Client.GetAsync(path, timeout.Token);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"/{path}: {response.StatusCode}");
        }
        using var negotiate = await server.Client.PostAsync("hubs/build/negotiate?negotiateVersion=1", null, timeout.Token);
        Assert.Equal(HttpStatusCode.NotFound, negotiate.StatusCode);
    }

    [Fact]
    public async Task BuildOnly_ImageMissingThenFound_EndsWithReadyAndImageName_LaunchesNothing()
    {
        var launcher = new FakeLauncher();
        await using var server = await FakeBackends.StartServerAsync(ApiOnly, services => UseLauncher(services, launcher));

        var built = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD?build_only=true", StreamTimeout);
        var found = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD?build_only=True", StreamTimeout);

        var first = built[^1].Event;
        Assert.Equal(BinderPhase.Ready, first.Phase);
        Assert.Equal("Done! Image built\n", first.Message);
        Assert.False(string.IsNullOrEmpty(first.ImageName));
        Assert.Null(first.Url);
        Assert.Null(first.Token);
        Assert.Contains(built, m => m.Event.Phase == BinderPhase.Building);
        Assert.Equal(
            [new BinderEvent { Phase = BinderPhase.Ready, ImageName = first.ImageName, Message = "Done! Found built image\n" }],
            found.Select(m => m.Event));
        Assert.DoesNotContain(built.Concat(found), m => m.Event.Phase is BinderPhase.Built or BinderPhase.Launching);
        Assert.Equal(0, launcher.Calls);
    }

    [Fact]
    public async Task BuildOnly_WithoutApiOnlyMode_FailsWith400AndBinderHubsMessage_BuildsNothing()
    {
        var registry = new FakeImageRegistry();
        var builder = new FakeImageBuilder(registry);
        var launcher = new FakeLauncher();
        await using var server = await FakeBackends.StartServerAsync(more: services =>
        {
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(registry);
            services.RemoveAll<IImageBuilder>();
            services.AddSingleton<IImageBuilder>(builder);
            UseLauncher(services, launcher);
        });

        var messages = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD?build_only=true", StreamTimeout);

        var failed = Assert.Single(messages).Event;
        Assert.Equal(BinderPhase.Failed, failed.Phase);
        Assert.Equal(400, failed.StatusCode);
        Assert.Equal("Building but not launching is not permitted when the API only mode was not enabled.\n", failed.Message);
        Assert.Equal(0, builder.Calls);
        Assert.Equal(0, launcher.Calls);
    }

    [Fact]
    public async Task BuildOnlyFalse_InApiOnlyMode_LaunchesAsUsual()
    {
        var launcher = new FakeLauncher();
        await using var server = await FakeBackends.StartServerAsync(ApiOnly, services => UseLauncher(services, launcher));

        var messages = await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD?build_only=false", StreamTimeout);

        Assert.Contains(messages, m => m.Event.Phase == BinderPhase.Built);
        Assert.NotNull(messages[^1].Event.Url);
        Assert.Equal(1, launcher.Calls);
    }

    private static void UseLauncher(IServiceCollection services, FakeLauncher launcher)
    {
        services.RemoveAll<ILauncher>();
        services.AddSingleton<ILauncher>(launcher);
    }
}
