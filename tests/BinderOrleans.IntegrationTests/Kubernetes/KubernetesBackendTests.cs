using System.Text.Json.Nodes;
using BinderOrleans.Core.Builds;
using BinderOrleans.Core.Launches;
using BinderOrleans.Core.Streaming;
using BinderOrleans.Core.Naming;
using BinderOrleans.Core.Providers;
using BinderOrleans.Testing;
using BinderOrleans.Testing.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BinderOrleans.IntegrationTests.Kubernetes;

/// <summary>The real server with <c>Build:Backend=kubernetes</c>, talking to the fake API server through a kubeconfig.</summary>
public sealed class KubernetesBackendTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private FakeKubernetesApi _api = null!;
    private string _directory = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync();
        _directory = Directory.CreateTempSubdirectory("binder-kube-e2e-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        try { Directory.Delete(_directory, true); } catch (IOException) { }
    }

    [Fact]
    public async Task Build_StreamsThePodLog_ThenBuilt_ThenReady_AndRemovesThePod()
    {
        var launcher = InstantLauncher.Create();
        await using var server = await StartServerAsync(launcher);
        const string spec = "jovyan/demo/main";
        var buildName = ImageNaming.BuildName(FixedRepoProvider.Slug(spec), FixedRepoProvider.Commit);

        var stream = SseClient.ReadBuildAsync(server.Client, "build/k8s/" + spec, Wait);
        var pod = await _api.WaitForPodAsync(buildName, Wait);
        _api.Run(buildName);
        _api.AppendLog(buildName,
            """{"message": "Picked Git content provider.\n", "phase": "fetching"}""",
            """{"message": "Cloning into '/tmp/repo2docker7r3'...\n", "phase": "fetching"}""",
            """{"message": "Using PythonBuildPack builder\n", "phase": "building"}""",
            """{"message": "Step 1/3 : FROM binderorleans-base\n", "phase": "building"}""",
            """{"message": "Successfully tagged image\n", "phase": "building"}""");
        _api.Succeed(buildName);
        var messages = await stream;

        var phases = messages.Select(m => m.Event.Phase).ToList();
        Assert.Equal(["waiting", "fetching", "fetching", "building", "building", "building", "built", "launching", "launching", "ready"], phases);
        Assert.Equal("Using PythonBuildPack builder\n", messages[3].Event.Message);
        var image = ImageNaming.ImageName("", FixedRepoProvider.Slug(spec), FixedRepoProvider.Commit);
        Assert.Equal(image, messages.Single(m => m.Event.Phase == BinderPhase.Built).Event.ImageName);
        Assert.Equal([image], launcher.Images);

        Assert.Equal(buildName, (string?)pod["metadata"]!["name"]);
        var args = pod["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Equal(FixedRepoProvider.RepoUrl(spec), args[^1]);
        Assert.Contains("--image=" + image, args);
        Assert.DoesNotContain("--push", args);
        Assert.Equal([buildName], _api.Deletions);
        Assert.All(_api.Requests, r => Assert.StartsWith("/api/v1/namespaces/binder-test/", r.Path));
    }

    [Fact]
    public async Task TwoReplicas_SameRepo_OneBuildPod_BothStreamsCarryTheLogAndGetReady()
    {
        await using var first = await StartServerAsync(InstantLauncher.Create());
        await using var second = await StartServerAsync(InstantLauncher.Create());
        const string spec = "jovyan/shared/main";
        var buildName = ImageNaming.BuildName(FixedRepoProvider.Slug(spec), FixedRepoProvider.Commit);

        var a = SseClient.ReadBuildAsync(first.Client, "build/k8s/" + spec, Wait);
        await _api.WaitForPodAsync(buildName, Wait);
        var b = SseClient.ReadBuildAsync(second.Client, "build/k8s/" + spec, Wait);
        await WaitUntilAsync(() => _api.Conflicts == 1, "the second replica's 409");
        _api.Run(buildName);
        _api.AppendLog(buildName, Enumerable.Range(1, 10).Select(i => $$"""{"phase": "building", "message": "Step {{i}}/10\n"}""").ToArray());
        // Let both replicas read the whole log before the pod goes away (then it has no log to read).
        await WaitUntilAsync(() => _api.Requests.Count(r => r.IsLog) == 2, "both replicas following the log");
        var image = ImageNaming.ImageName("", FixedRepoProvider.Slug(spec), FixedRepoProvider.Commit);
        await Task.WhenAll(WaitForLogLinesAsync(first, image, 10), WaitForLogLinesAsync(second, image, 10));
        _api.Succeed(buildName);

        foreach (var messages in await Task.WhenAll(a, b))
        {
            Assert.Equal(Enumerable.Range(1, 10).Select(i => $"Step {i}/10\n"), messages.Where(m => m.Event.Phase == "building").Select(m => m.Event.Message));
            Assert.Equal(BinderPhase.Ready, messages[^1].Event.Phase);
        }
        Assert.Equal(1, _api.Creates);
        Assert.Single(_api.Deletions);
    }

    [Fact]
    public async Task Health_HasAKubernetesApiItem()
    {
        await using var server = await StartServerAsync(InstantLauncher.Create());
        var health = JsonNode.Parse(await server.Client.GetStringAsync("health"))!;
        var item = health["checks"]!.AsArray().Single(c => (string?)c!["service"] == "Kubernetes API")!;
        Assert.True((bool?)item["ok"]);
        Assert.Equal("binder-test", (string?)item["namespace"]);
    }

    private static Task WaitForLogLinesAsync(RunningServer server, string image, int lines)
    {
        // The grain's log holds the "waiting" line, then the build's log lines.
        var grain = server.Services.GetRequiredService<IGrainFactory>().GetGrain<BinderOrleans.Core.Builds.IBuildGrain>(image);
        return WaitUntilAsync(() => grain.GetStatusAsync().AsTask().GetAwaiter().GetResult().EventCount >= lines + 1, $"{lines} log lines in the build grain");
    }

    private Task<RunningServer> StartServerAsync(FakeLauncher launcher) =>
        RunningServer.StartAsync(new Dictionary<string, string?>
        {
            ["Build:Backend"] = "kubernetes",
            ["Kubernetes:Kubeconfig"] = _api.WriteKubeconfig(_directory),
        }, services =>
        {
            services.AddSingleton<IRepoProvider>(FixedRepoProvider.Create());
            services.RemoveAll<IImageRegistry>();
            services.AddSingleton<IImageRegistry>(new PushedImages(_api));
            services.RemoveAll<ILauncher>();
            services.AddSingleton<ILauncher>(launcher);
        });

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Poll.UntilAsync(condition, what, Wait);
}
