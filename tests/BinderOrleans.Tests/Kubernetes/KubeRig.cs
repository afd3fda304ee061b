using System.Runtime.CompilerServices;
using BinderOrleans.Core.Builds;
using BinderOrleans.Kubernetes;
using BinderOrleans.Kubernetes.Client;
using BinderOrleans.Kubernetes.Builds;
using BinderOrleans.Testing.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BinderOrleans.Tests.Kubernetes;

/// <summary>A fake API server, a kubeconfig pointing at it, and any number of clients and builders ("replicas") on it.</summary>
internal sealed class KubeRig : IAsyncDisposable
{
    private readonly List<IDisposable> _owned = [];

    private KubeRig(FakeKubernetesApi api, string directory)
    {
        Api = api;
        Directory = directory;
        Kubeconfig = api.WriteKubeconfig(directory);
        Registry = new PushedImages(api);
    }

    public FakeKubernetesApi Api { get; }

    public string Directory { get; }

    public string Kubeconfig { get; }

    public PushedImages Registry { get; }

    public static async Task<KubeRig> StartAsync() =>
        new(await FakeKubernetesApi.StartAsync(), System.IO.Directory.CreateTempSubdirectory("binder-kube-test-").FullName);

    public KubernetesOptions Options(Action<KubernetesOptions>? change = null)
    {
        var options = new KubernetesOptions { Kubeconfig = Kubeconfig };
        change?.Invoke(options);
        return options;
    }

    /// <summary>A client with its own connection and HttpClient, as a separate replica would have.</summary>
    public PodApi Client(KubernetesOptions? options = null)
    {
        options ??= Options();
        var (connection, error) = KubeConnectionLoader.Load(options, new KubeEnvironment(_ => null, Directory), TimeProvider.System);
        Assert.True(connection is not null, error);
        var client = new PodApi(connection, Microsoft.Extensions.Options.Options.Create(options), NullLogger<PodApi>.Instance);
        _owned.Add(client);
        return client;
    }

    public KubernetesImageBuilder Builder(KubernetesOptions? options = null, TimeProvider? time = null)
    {
        options ??= Options();
        return new KubernetesImageBuilder(Client(options), Registry, Microsoft.Extensions.Options.Options.Create(options), time ?? TimeProvider.System,
            NullLogger<KubernetesImageBuilder>.Instance);
    }

    public static BuildRequest Request(string buildName = "build-owner-2drepo-abc123-0123-4f", string repoUrl = "https://github.com/owner/repo",
        string? credentials = null) =>
        new("registry.example.org/binder/r2d-owner-2drepo:0123456789abcdef", buildName, repoUrl, "0123456789abcdef", "gh", credentials, "GitHub");

    public static string Line(string phase, string message) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["phase"] = phase, ["message"] = message + "\n" });

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _owned) d.Dispose();
        await Api.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }
}
