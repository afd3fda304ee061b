using System.Net;
using System.Text.Json.Nodes;
using BinderOrleans.Core.Health;
using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using BinderOrleans.Tests.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.Tests.Info;

public sealed class InfoApiTests
{
    private sealed class CountingCheck(string service, params bool[] answers) : IBinderHealthCheck
    {
        private int _calls;
        public int Calls => _calls;
        public Task<BinderHealthResult> CheckAsync(CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _calls);
            return Task.FromResult(new BinderHealthResult(service, answers[Math.Min(n, answers.Length) - 1], new Dictionary<string, object?> { ["calls"] = n }));
        }
    }

    private static Task<RunningServer> StartAsync(params IBinderHealthCheck[] checks) =>
        FakeBackends.StartServerAsync(more: services =>
        {
            foreach (var c in checks) services.AddSingleton(c);
        });

    [Fact]
    public async Task Health_IsCached_AndFlakyChecksAreRetried()
    {
        var flaky = new CountingCheck("JupyterHub API", false, true);
        await using var server = await StartAsync(flaky);
        var first = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => server.Client.GetStringAsync("health")));
        var body = JsonNode.Parse(first[0])!;
        Assert.True((bool?)body["ok"]);
        var item = body["checks"]!.AsArray().Single(c => (string?)c!["service"] == "JupyterHub API")!;
        Assert.True((bool?)item["ok"]);
        Assert.Equal(2, flaky.Calls);
        await server.Client.GetStringAsync("health");
        Assert.Equal(2, flaky.Calls);
    }

    [Fact]
    public async Task Health_FailingCheck_Gives503_ForGetAndHead()
    {
        await using var server = await StartAsync(new CountingCheck("Docker registry", false));
        var get = await server.Client.GetAsync("health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.False((bool?)JsonNode.Parse(await get.Content.ReadAsStringAsync())!["ok"]);
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "health"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
    }

    [Fact]
    public async Task Readiness_Passes_UntilTheReplicaDrains_ThenFails_WhileLivenessAndHealthDoNot()
    {
        await using var server = await StartAsync(new CountingCheck("Docker registry", true));
        foreach (var path in new[] { "health/ready", "health/silo" })
        {
            using var ready = await server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
            Assert.Equal("Active", (string?)body["status"]);
            Assert.Equal(1, (int?)body["active_silos"]);
            Assert.False((bool?)body["draining"]);
        }

        var drain = server.Services.GetRequiredService<BinderOrleans.Core.Sessions.DrainState>();
        Assert.True(await drain.DrainAsync(TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None));

        foreach (var path in new[] { "health/ready", "health/silo" })
        {
            using var ready = await server.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var body = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
            Assert.True((bool?)body["draining"]);
            Assert.False((bool?)body["ok"]);
        }
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "health/ready"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        using var live = await server.Client.GetAsync("health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var health = await server.Client.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var json = JsonNode.Parse(await health.Content.ReadAsStringAsync())!;
        Assert.Equal(["checks", "ok"], json.AsObject().Select(p => p.Key).Order());
        Assert.All(json["checks"]!.AsArray(), c => Assert.NotNull(c!["service"]));
    }

    [Fact]
    public async Task Metrics_CarryOrleansMeter_NextToBinderHubNames()
    {
        await using var server = await StartAsync();
        await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", TimeSpan.FromSeconds(20));
        var text = await server.Client.GetStringAsync("metrics");
        Assert.Contains("binderhub_launch_count_total{", text);
        // prometheus-net names a meter's instruments {meter}_{instrument}: Microsoft.Orleans + orleans-messaging-….
        var orleans = text.Split('\n').Where(l => l.StartsWith("microsoft_orleans_orleans_", StringComparison.Ordinal)).ToList();
        Assert.Contains(orleans, l => l.StartsWith("microsoft_orleans_orleans_messaging_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Versions_IsCorsOpen_AndNamesTheVersion()
    {
        await using var server = await StartAsync();
        var response = await server.Client.GetAsync("versions");
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrEmpty((string?)json["binderhub"]));
        // BinderHub's shape and nothing else: builder_info names the image that builds, builder repeats it.
        Assert.Equal(["build_image"], json["builder_info"]!.AsObject().Select(p => p.Key));
        Assert.Equal((string?)json["builder_info"]!["build_image"], (string?)json["builder"]);
    }

    [Theory]
    [InlineData(null, null, null, "binderorleans-buildpacks:")]
    [InlineData("docker", "repo2docker", null, "quay.io/jupyterhub/repo2docker:")]
    [InlineData("docker", "repo2docker", "registry.example.org/r2d:1", "registry.example.org/r2d:1")]
    [InlineData("kubernetes", null, null, "quay.io/jupyterhub/repo2docker:")]
    public void Versions_BuildImage_IsTheImageThatBuilds(string? backend, string? builder, string? image, string expectedStart)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Build:Backend"] = backend,
            ["Build:Builder"] = builder,
            ["Build:Repo2DockerImage"] = image,
            ["Kubernetes:BuildImage"] = backend == "kubernetes" ? image : null,
        }).Build();

        var buildImage = BinderOrleans.Server.Info.InfoApi.BuildImage(configuration, BinderOrleans.Core.Options.BackendSelection.Bind(configuration));

        Assert.StartsWith(expectedStart, buildImage);
    }

    [Fact]
    public async Task Metrics_ExposesBinderHubFamilies_AfterALaunch()
    {
        await using var server = await StartAsync();
        await SseClient.ReadBuildAsync(server.Client, "build/fake/a/b/HEAD", TimeSpan.FromSeconds(20));
        var response = await server.Client.GetAsync("metrics");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("binderhub_launch_count_total{status=\"success\",provider=\"Fake\"", text);
        Assert.Contains("# TYPE binderhub_launch_time_seconds histogram", text);
    }

    [Fact]
    public async Task Metrics_AlsoExposesProcessAndRuntimeMetrics_AsPrometheusText()
    {
        await using var server = await StartAsync();

        var response = await server.Client.GetAsync("metrics");

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\nprocess_cpu_seconds_total ", text);
        Assert.Contains("\nsystem_runtime_dotnet_gc_collections", text);
        Assert.Contains("# TYPE binderhub_build_count_total counter", text);
    }
}
